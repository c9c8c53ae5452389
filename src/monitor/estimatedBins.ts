// Estimated performance (CBPE) from a model's live traffic: with calibrated score bins in the
// profile, each prediction also counts, per scored class, in [predicted as the class, not] of its
// score bin. These counts sit after the bin layout's in the drift windows, so the estimate covers
// exactly the window's predictions; its gauges are set when /metrics is scraped.
import type { ModelConfig } from "../config/model.js";
import { setEstimate } from "../export/estimateGauges.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import { estimate } from "../stats/cbpe.js";
import type { ScoreBins } from "../stats/scoreBins.js";

export class EstimatedBins {
  /** the configured classes by name (binary defaults to ["0", "1"]) */
  private readonly classIndex = new Map<string, number>();
  /** window counters they take: [predicted, not] per score bin */
  readonly width: number;
  /** bins an event sets at most: one per scored class */
  readonly stride: number;

  constructor(
    private readonly model: ModelConfig,
    private readonly scores: ScoreBins,
  ) {
    (model.prediction.classes ?? (model.task === "binary_classification" ? ["0", "1"] : [])).forEach(
      (c, i) => {
        this.classIndex.set(c, i);
      },
    );
    this.width = 2 * scores.bins;
    this.stride = scores.entries.length;
  }

  /**
   * Writes into `scratch` from `n` the window counters of one prediction (class `cls`, each
   * scored class's bin in `bins`, −1 for none), counted from `base`; returns the next free index.
   */
  fill(
    scratch: Int32Array,
    n: number,
    base: number,
    cls: string | undefined,
    bins: ArrayLike<number>,
  ): number {
    const predicted = cls === undefined ? -1 : (this.classIndex.get(cls) ?? -1);
    const entries = this.scores.entries;
    for (let k = 0; k < entries.length; k++) {
      const b = bins[k] as number;
      if (b < 0) continue;
      const entry = entries[k] as (typeof entries)[number];
      scratch[n++] = base + 2 * (entry.offset + b) + (predicted === entry.classIndex ? 0 : 1);
    }
    return n;
  }

  /** The CBPE gauges of one window from its score-bin counts (after the layout's in `totals`). */
  setGauges(
    metrics: QualityMetrics,
    totals: Float64Array,
    base: number,
    l: { model: string; model_version: string; window: string },
  ): void {
    const s = this.scores;
    const predicted = new Float64Array(s.bins);
    const notPredicted = new Float64Array(s.bins);
    for (let j = 0; j < s.bins; j++) {
      predicted[j] = totals[base + 2 * j] as number;
      notPredicted[j] = totals[base + 2 * j + 1] as number;
    }
    const classes = [...this.classIndex.keys()];
    const e = estimate(s, classes.length, predicted, notPredicted);
    // the same gate as every window value: min_samples predictions with a score
    if (!e || e.n < this.model.minSamples) return;
    setEstimate(metrics, l, e, classes, s.binary);
  }
}
