// One model's statistics per A/B variant: events, predicted classes and scores, and drift of each
// feature and of the prediction against the reference in the model's sliding windows, per variant.
// The model's monitor bins each event once and hands the bins here with the variant's index.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild, HistogramChild } from "../export/boundMetrics.js";
import type { VariantMetrics } from "../export/variantMetrics.js";
import type { BinLayout } from "../stats/binLayout.js";
import { type BinWindow, binWindow } from "../stats/binWindow.js";
import { driftValues } from "../stats/drift.js";
import { VariantNames } from "./variantNames.js";

interface Arm {
  label: string;
  events: CounterChild;
  classes: Map<string, CounterChild>;
  numbers: HistogramChild;
  windows: { name: string; w: BinWindow }[];
}

export class VariantMonitor {
  readonly names: VariantNames;
  private readonly arms: Arm[];

  constructor(
    private readonly model: ModelConfig,
    private readonly layout: BinLayout | undefined,
    private readonly metrics: VariantMetrics,
  ) {
    this.names = new VariantNames(model.variants as NonNullable<ModelConfig["variants"]>);
    const width = layout?.width ?? 0;
    // an event sets one bin per slot (features, prediction) at most
    const stride = layout?.slots.length ?? 0;
    const regression = model.task === "regression";
    this.arms = this.names.labels.map((label) => {
      const l = { model: model.name, variant: label };
      const classes = new Map<string, CounterChild>();
      for (const c of model.prediction.classes ?? [])
        classes.set(c, metrics.predictions.labels({ ...l, class: c }));
      return {
        label,
        // every variant's counters exist at 0 from the start (rules rate() them)
        events: metrics.events.labels(l),
        classes,
        numbers: regression ? metrics.value.labels(l) : metrics.score.labels(l),
        windows: model.windows.map((w) => ({ name: w.name, w: binWindow(w, width, stride) })),
      };
    });
  }

  /** The index of a variant name from an event (`other` for none or an unknown one). */
  indexOf(name: string | undefined): number {
    return this.names.indexOf(name);
  }

  /** One event of variant `i`: its (bounded) class label and its score or value. */
  count(i: number, cls: string | undefined, score: number | undefined): void {
    const arm = this.arms[i] as Arm;
    arm.events.inc();
    if (cls !== undefined) {
      let c = arm.classes.get(cls);
      if (!c) {
        // the label is already bounded by the model's monitor (configured classes or capped)
        c = this.metrics.predictions.labels({ model: this.model.name, variant: arm.label, class: cls });
        arm.classes.set(cls, c);
      }
      c.inc();
    }
    if (score !== undefined) arm.numbers.observe(score);
  }

  /** The event's flat bin indexes (features, then the prediction), as the model's windows got them. */
  add(i: number, t: number, bins: Int32Array, n: number): void {
    for (const { w } of (this.arms[i] as Arm).windows) w.add(t, bins, n);
  }

  /** Recompute the window gauges as of `now` (before each scrape). */
  refresh(now: number): void {
    const m = this.metrics;
    const layout = this.layout;
    const smoothing = this.model.drift.smoothing;
    for (const arm of this.arms) {
      for (const { name, w } of arm.windows) {
        w.advance(now);
        const samples = w.samples();
        const labels = { model: this.model.name, variant: arm.label, window: name };
        m.windowSamples.set(labels, samples);
        if (!layout || samples < this.model.minSamples) continue;
        const totals = w.totalCounts();
        layout.slots.forEach((slot, s) => {
          const current = totals.subarray(slot.offset, slot.offset + slot.bins.size);
          let sum = 0;
          for (const c of current) sum += c;
          if (sum === 0 || slot.referenceTotal === 0) return;
          const d = driftValues(current, slot.reference, smoothing);
          if (s === layout.predictionSlot) {
            m.predictionPsi.set(labels, d.psi);
            m.predictionJs.set(labels, d.js);
          } else m.featurePsi.set({ ...labels, feature: slot.name }, d.psi);
        });
      }
    }
  }
}
