// The `scores` section of a reference profile (optional; older readers ignore it): per class, the
// bins of the model's score for that class (quantiles of the reference, the binary threshold an
// edge) with the reference counts, and — when the training data has targets (`labels.target`) —
// how many of each bin's rows had that class as truth and the calibration learned from them
// (isotonic regression, pool-adjacent-violators: calibration.ts). Live, the same bins give the
// realized ROC AUC of labelled predictions and the CBPE estimate of unlabelled ones
// (docs/adr/0022-estimated-performance.md).
import { isotonicBins } from "./calibration.js";
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
  /** with targets: rows per bin with a readable target (the calibration's denominators) */
  labelled?: number[];
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
    for (const key of [
      "counts",
      "predicted",
      "labelled",
      "positives",
      "predicted_positives",
      "calibrated",
    ] as const) {
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

/**
 * The sum of two profiles' `scores` counted into the same bins (profile merge); the calibration is
 * fitted again on the summed counts. Throws ProfileError naming what differs.
 */
export function mergeScores(a: ProfileScores, b: ProfileScores, where: string): ProfileScores {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const bins = (x: ProfileScores) => ({
    threshold: x.threshold,
    classes: x.classes.map((c) => [c.class, c.edges]),
  });
  if (!same(bins(a), bins(b)))
    throw new ProfileError(
      `${where}: the profiles' scores have different bins; merge profiles counted into the same bins (baseline --bins-from)`,
    );
  const add = (x: number[] | undefined, y: number[] | undefined) =>
    x && y ? x.map((v, i) => v + (y[i] as number)) : undefined;
  const targets = a.target !== undefined && b.target !== undefined;
  const classes = a.classes.map((c, i) => {
    const d = b.classes[i] as ScoreClassProfile;
    const out: ScoreClassProfile = {
      class: c.class,
      edges: c.edges,
      counts: add(c.counts, d.counts) as number[],
    };
    const predicted = add(c.predicted, d.predicted);
    if (predicted) out.predicted = predicted;
    if (targets) {
      const labelled = add(c.labelled, d.labelled);
      const positives = add(c.positives, d.positives);
      const pp = add(c.predicted_positives, d.predicted_positives);
      if (labelled && positives) {
        out.labelled = labelled;
        out.positives = positives;
        if (pp) out.predicted_positives = pp;
        out.calibrated = isotonicBins(positives, labelled);
      }
    }
    return out;
  });
  const out: ProfileScores = { bins: a.bins, classes };
  if (a.threshold !== undefined) out.threshold = a.threshold;
  if (targets && classes.every((c) => c.calibrated)) {
    out.target = a.target as string;
    out.labelled = (a.labelled ?? 0) + (b.labelled ?? 0);
  }
  return out;
}
