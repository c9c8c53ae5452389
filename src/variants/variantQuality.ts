// One model's label quality per A/B variant: each join's loss (1 for a wrong class, the absolute
// error for a regression value) is summed per variant, as mergeable counters the sequential test's
// recording rules read (count, sum, sum of squares), and in sliding windows (by label arrival) for
// accuracy or MAE per variant. The label join tells which variant a prediction was.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild } from "../export/boundMetrics.js";
import type { VariantMetrics } from "../export/variantMetrics.js";
import { type ApplyJoin, type JoinWindow, joinWindow } from "../labels/joinWindow.js";
import { VariantNames } from "./variantNames.js";

interface Arm {
  label: string;
  labeled: CounterChild;
  loss: CounterChild;
  squares: CounterChild;
  /** per window (by time or count): [joins, loss sum] */
  windows: { name: string; w: JoinWindow }[];
}

export class VariantQuality {
  readonly names: VariantNames;
  private readonly arms: Arm[];
  private readonly regression: boolean;
  /** one join as the windows keep it: [loss] */
  private readonly rec = new Float64Array(1);

  constructor(
    private readonly model: ModelConfig,
    private readonly metrics: VariantMetrics,
  ) {
    this.names = new VariantNames(model.variants as NonNullable<ModelConfig["variants"]>);
    this.regression = model.task === "regression";
    this.arms = this.names.labels.map((label) => {
      const l = { model: model.name, variant: label };
      return {
        label,
        labeled: metrics.labeled.labels(l),
        loss: metrics.loss.labels(l),
        squares: metrics.lossSquares.labels(l),
        windows: model.windows.map((w) => ({ name: w.name, w: joinWindow(w, 2, 1, addLoss) })),
      };
    });
  }

  /** Number of variant slots (the configured names and `other`). */
  get size(): number {
    return this.arms.length;
  }

  /** A prediction of variant `i` met its label (class indexes, or values) at `now`. */
  joined(i: number, prediction: number, label: number, now: number): void {
    const arm = this.arms[i];
    if (!arm) return;
    const loss = this.regression ? Math.abs(prediction - label) : prediction === label ? 0 : 1;
    if (!Number.isFinite(loss)) return;
    arm.labeled.inc();
    arm.loss.inc(loss);
    arm.squares.inc(loss * loss);
    this.rec[0] = loss;
    for (const { w } of arm.windows) w.add(now, this.rec);
  }

  /** Recompute the window gauges as of `now` (before each scrape). */
  refresh(now: number): void {
    const m = this.metrics;
    for (const arm of this.arms) {
      for (const { name, w } of arm.windows) {
        const c = w.totals(now);
        const n = c[0] as number;
        const l = { model: this.model.name, variant: arm.label, window: name };
        m.windowLabeled.set(l, n);
        if (n === 0 || n < this.model.minSamples) continue;
        const mean = (c[1] as number) / n;
        if (this.regression) m.mae.set(l, mean);
        else m.accuracy.set(l, 1 - mean);
      }
    }
  }
}

/** A join's record [loss] into a window's [joins, loss sum]. */
const addLoss: ApplyJoin = (c, rec, at) => {
  c[0] = (c[0] as number) + 1;
  c[1] = (c[1] as number) + (rec[at] as number);
};
