// The mergeable score counters of one model version's labelled predictions (what the fleet ROC AUC
// rules read): per class and score bin, positives and negatives, and the negatives in lower bins
// (cumulative: PromQL cannot sum over bins itself). Every series exists at 0 once the version
// does; the cumulative ones are brought up to date before each scrape.
import type { CounterChild } from "../export/boundMetrics.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import type { ScoreBins } from "../stats/scoreBins.js";

export class ScoreCounters {
  /** per flat bin: [positive, negative] */
  private readonly bins: CounterChild[] = [];
  private readonly below: CounterChild[] = [];
  /** negatives per flat bin so far, and what `below` was brought to */
  private readonly negatives: Float64Array;
  private readonly sent: Float64Array;

  constructor(
    private readonly scores: ScoreBins,
    metrics: QualityMetrics,
    model: string,
    version: string,
  ) {
    this.negatives = new Float64Array(scores.bins);
    this.sent = new Float64Array(scores.bins);
    for (const e of scores.entries) {
      e.labels.forEach((bin) => {
        const l = { model, model_version: version, class: e.cls, bin };
        this.bins.push(
          metrics.scoreBins.labels({ ...l, truth: "positive" }),
          metrics.scoreBins.labels({ ...l, truth: "negative" }),
        );
        this.below.push(metrics.negativesBelow.labels(l));
      });
    }
  }

  /** One labelled prediction: class e's bin `rec[at + e]` (-1: none), its true class index. */
  add(rec: ArrayLike<number>, at: number, actual: number): void {
    const entries = this.scores.entries;
    for (let e = 0; e < entries.length; e++) {
      const b = rec[at + e] as number;
      if (b < 0) continue;
      const entry = entries[e] as (typeof entries)[number];
      const j = entry.offset + b;
      const positive = actual === entry.classIndex;
      (this.bins[2 * j + (positive ? 0 : 1)] as CounterChild).inc();
      if (!positive) this.negatives[j] = (this.negatives[j] as number) + 1;
    }
  }

  /** Bring the cumulative counters up to the negatives counted so far. */
  refresh(): void {
    for (const e of this.scores.entries) {
      let cum = 0;
      for (let b = 0; b < e.size; b++) {
        const j = e.offset + b;
        const delta = cum - (this.sent[j] as number);
        if (delta > 0) {
          (this.below[j] as CounterChild).inc(delta);
          this.sent[j] = cum;
        }
        cum += this.negatives[j] as number;
      }
    }
  }
}
