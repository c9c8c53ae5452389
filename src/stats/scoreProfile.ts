// The `scores` section of a reference profile (optional; older readers ignore it): per class, the
// bins of the model's score for that class (quantiles of the reference, the binary threshold an
// edge) with the reference counts, and — when the training data has targets (`labels.target`) —
// how many of each bin's rows had that class as truth and the calibration learned from them
// (isotonic regression, pool-adjacent-violators: calibration.ts). Live, the same bins give the
// realized ROC AUC of labelled predictions and the CBPE estimate of unlabelled ones
// (docs/adr/0013-estimated-performance.md).
import { ProfileError } from "./profile.js";

export interface ScoreClassProfile {
  /** the class whose score (one-vs-rest) is binned */
  class: string;
  /** inner edges, increasing */
  edges: number[];
  /** scored reference rows per bin */
  counts: number[];
  /** multiclass: rows per bin the model predicted as this class (binary: the bins at or above the threshold) */
  predicted?: number[];
  /** with targets: rows per bin whose target is this class */
  positives?: number[];
  /** multiclass, with targets: rows per bin predicted as this class whose target is this class */
  predicted_positives?: number[];
  /** with targets: P(target = class | bin), isotonic in the score (pool-adjacent-violators) */
  calibrated?: number[];
}

export interface ProfileScores {
  /** bins per class asked for (`prediction.score_bins`; equal quantiles merge) */
  bins: number;
  /** binary: the threshold the bins are split at (an edge) */
  threshold?: number;
  /** the target column the calibration was learned from (absent: no targets) */
  target?: string;
  /** rows with both a score and a readable target */
  labelled?: number;
  classes: ScoreClassProfile[];
}

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const numbers = (x: unknown, n: number): x is number[] =>
  Array.isArray(x) && x.length === n && x.every((v) => typeof v === "number" && Number.isFinite(v));

/** Check the shape of a profile's `scores`; throws ProfileError naming what is wrong. */
export function parseScores(x: unknown): ProfileScores {
  if (!isObj(x) || typeof x.bins !== "number" || !Array.isArray(x.classes))
    throw new ProfileError("scores: expected {bins, classes}");
  const classes = x.classes.map((c, i): ScoreClassProfile => {
    const where = `scores.classes[${i}]`;
    if (!isObj(c) || typeof c.class !== "string" || !Array.isArray(c.edges))
      throw new ProfileError(`${where}: expected {class, edges, counts}`);
    const edges = c.edges;
    if (!edges.every((e, j) => typeof e === "number" && Number.isFinite(e) && (j === 0 || e > edges[j - 1])))
      throw new ProfileError(`${where}.edges: expected increasing numbers`);
    const n = edges.length + 1;
    const out: ScoreClassProfile = { class: c.class, edges: edges as number[], counts: [] };
    for (const key of ["counts", "predicted", "positives", "predicted_positives", "calibrated"] as const) {
      const v = c[key];
      if (v === undefined && key !== "counts") continue;
      if (!numbers(v, n)) throw new ProfileError(`${where}.${key}: expected ${n} numbers`);
      out[key] = v;
    }
    const cal = out.calibrated;
    if (cal && !cal.every((p, j) => p >= 0 && p <= 1 && (j === 0 || p >= (cal[j - 1] as number))))
      throw new ProfileError(`${where}.calibrated: expected non-decreasing probabilities`);
    return out;
  });
  const s: ProfileScores = { bins: x.bins, classes };
  if (typeof x.threshold === "number") s.threshold = x.threshold;
  if (typeof x.target === "string") s.target = x.target;
  if (typeof x.labelled === "number") s.labelled = x.labelled;
  return s;
}
