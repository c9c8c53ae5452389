// The model versions a label join counts by (model_version), each with its correct/incorrect
// counters and, for scored classification, its score counters. Names come from traffic: past
// MAX_VERSIONS (or over-long) they share `other`, so the series stay bounded.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild } from "../export/boundMetrics.js";
import { fitsLabel } from "../export/labelValues.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import { ScoreCounters } from "./scoreCounters.js";

/** Distinct model_version label values kept per model (as the drift monitor); more share "other". */
const MAX_VERSIONS = 16;

const NOOP: CounterChild = { inc() {} };

export interface Version {
  name: string;
  correct: CounterChild;
  incorrect: CounterChild;
  scores: ScoreCounters | undefined;
}

export class ModelVersions {
  readonly all: Version[] = [];
  private readonly indexOf = new Map<string, number>();

  constructor(
    private readonly model: ModelConfig,
    private readonly metrics: QualityMetrics,
    private readonly scores: ScoreBins | undefined,
    /** false: a regression model without labels.tolerance, never right or wrong (no-op counters) */
    private readonly judged: boolean,
  ) {}

  /** The index of version `name`, its counters created on first use. */
  index(name: string): number {
    let i = this.indexOf.get(name);
    if (i !== undefined) return i;
    // an over-long version from traffic is "other" too (src/export/labelValues.ts)
    const label = this.all.length < MAX_VERSIONS && fitsLabel(name) ? name : "other";
    i = this.all.findIndex((v) => v.name === label);
    if (i < 0 && !this.judged) {
      i = this.all.length;
      this.all.push({ name: label, correct: NOOP, incorrect: NOOP, scores: undefined });
    } else if (i < 0) {
      const base = { model: this.model.name, model_version: label };
      i = this.all.length;
      this.all.push({
        name: label,
        correct: this.metrics.labeled.labels({ ...base, result: "correct" }),
        incorrect: this.metrics.labeled.labels({ ...base, result: "incorrect" }),
        scores:
          label === this.model.version && this.scores
            ? new ScoreCounters(this.scores, this.metrics, this.model.name, label)
            : undefined,
      });
    }
    // bounded too: names from traffic past the cap all map to "other" without being kept
    if (this.indexOf.size < 1000) this.indexOf.set(name, i);
    return i;
  }
}
