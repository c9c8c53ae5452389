// The score bins of a classification model, one set per class scored one-vs-rest (binary: the
// positive class; multiclass: every configured class): from the profile's `scores` (quantiles of
// the reference, with the calibration when it had targets), else `score_bins` equal bins of [0, 1]
// so labelled predictions still give a ROC AUC. Binary bins split at the threshold, so a bin is
// either wholly predicted positive or wholly negative.
import type { ModelConfig } from "../config/model.js";
import { binLabels, numericBinIndex, numericBins } from "./binning.js";
import { finiteNumber } from "./finiteNumber.js";
import { ProfileError } from "./profile.js";
import type { ProfileScores } from "./scoreProfile.js";

export interface ScoreEntry {
  /** the class scored */
  readonly cls: string;
  /** its index among the model's classes (what the label join stores) */
  readonly classIndex: number;
  readonly edges: Float64Array;
  /** bins (edges + 1) */
  readonly size: number;
  /** first bin of this class in the flat bin space of all classes */
  readonly offset: number;
  readonly labels: readonly string[];
  /** P(class | bin) learned from the reference's targets; undefined without targets */
  readonly calibrated: Float64Array | undefined;
  /** binary: the first bin at or above the threshold (bins from it on are predicted as `cls`) */
  readonly thresholdBin: number | undefined;
}

export class ScoreBins {
  /** bins of all classes together */
  readonly bins: number;

  private constructor(
    readonly entries: readonly ScoreEntry[],
    readonly binary: boolean,
    /** every class has a calibration (CBPE can estimate) */
    readonly calibrated: boolean,
  ) {
    this.bins = entries.reduce((a, e) => a + e.size, 0);
  }

  /**
   * The model's score bins: from its profile's `scores` when there are any (checked against the
   * config: a profile built for another threshold or other classes is refused), else uniform.
   * Undefined for regression and for multiclass models without configured classes.
   */
  static forModel(model: ModelConfig, scores?: ProfileScores): ScoreBins | undefined {
    if (model.task === "regression") return undefined;
    const binary = model.task === "binary_classification";
    const classes = model.prediction.classes ?? (binary ? ["0", "1"] : undefined);
    if (!classes) return undefined;
    const threshold = model.prediction.threshold;
    const scored = binary ? [1] : classes.map((_, i) => i);
    if (scores) {
      const rebuild = `rebuild the profile with \`infermon baseline -m ${model.name}\``;
      if (binary && scores.threshold !== threshold)
        throw new ProfileError(
          `scores were binned at threshold ${scores.threshold}, the configuration says ${threshold}; ${rebuild}`,
        );
      const names = scored.map((i) => classes[i] as string);
      const inProfile = scores.classes.map((c) => c.class);
      if (JSON.stringify(names) !== JSON.stringify(inProfile))
        throw new ProfileError(
          `scores are for classes ${JSON.stringify(inProfile)}, the configuration scores ${JSON.stringify(names)}; ${rebuild}`,
        );
    }
    let offset = 0;
    const entries = scored.map((ci, e): ScoreEntry => {
      const p = scores?.classes[e];
      const edges = p ? p.edges : uniformEdges(model.prediction.scoreBins, binary ? threshold : undefined);
      const bins = numericBins(edges);
      const entry: ScoreEntry = {
        cls: classes[ci] as string,
        classIndex: ci,
        edges: bins.edges,
        size: bins.size,
        offset,
        labels: binLabels(bins),
        calibrated: p?.calibrated ? Float64Array.from(p.calibrated) : undefined,
        thresholdBin: binary ? numericBinIndex(bins.edges, threshold) : undefined,
      };
      offset += bins.size;
      return entry;
    });
    return new ScoreBins(
      entries,
      binary,
      entries.every((e) => e.calibrated !== undefined),
    );
  }

  /**
   * Each class's bin for one prediction (`score`: the binary positive score; `probs`: the
   * multiclass probability vector in class order) into `out`, -1 where there is no score.
   * Returns whether any class was scored.
   */
  fill(score: number | undefined, probs: readonly unknown[] | undefined, out: Int32Array): boolean {
    let any = false;
    const entries = this.entries;
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e] as ScoreEntry;
      const s = this.binary ? score : probs ? finiteNumber(probs[entry.classIndex]) : undefined;
      if (s === undefined) out[e] = -1;
      else {
        out[e] = numericBinIndex(entry.edges, s);
        any = true;
      }
    }
    return any;
  }
}

/** `bins` equal bins of [0, 1] (scores outside fall in the end bins), split at `threshold` too. */
export function uniformEdges(bins: number, threshold?: number): number[] {
  const edges = new Set<number>();
  for (let i = 1; i < bins; i++) edges.add(Number((i / bins).toPrecision(12)));
  if (threshold !== undefined && threshold > 0 && threshold <= 1) edges.add(threshold);
  return [...edges].sort((a, b) => a - b);
}
