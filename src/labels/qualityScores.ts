// The score part of a window's quality counts (qualityCounts.ts): per flat score bin of the
// model's ScoreBins, 4 counts of the labelled predictions in it —
//   [truth is the bin's class & predicted as it, truth is not & predicted as it,
//    truth is & not predicted as it, truth is not & not predicted as it]
// — which give the realized ROC AUC (positives and negatives per bin) and, for the estimate's
// check, the predicted / not-predicted counts CBPE reads (the same labelled predictions estimated
// from their scores alone).
import { aucStandardError, binnedAuc } from "../stats/rocAuc.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import { scoresOffset } from "./qualityCounts.js";

/** Count one join's score bins (`rec[at + e]`: class e's bin, -1 none) into `c`. */
export function addScoreBins(
  c: Float64Array,
  k: number,
  scores: ScoreBins,
  rec: ArrayLike<number>,
  at: number,
  predicted: number,
  actual: number,
  w = 1,
): void {
  const base = scoresOffset(k);
  const entries = scores.entries;
  for (let e = 0; e < entries.length; e++) {
    const b = rec[at + e] as number;
    if (b < 0) continue;
    const entry = entries[e] as (typeof entries)[number];
    const i =
      base +
      4 * (entry.offset + b) +
      (actual === entry.classIndex ? 0 : 1) +
      (predicted === entry.classIndex ? 0 : 2);
    c[i] = (c[i] as number) + w;
  }
}

export interface RealizedAuc {
  /** binary: the AUC; multiclass: the macro average over classes with positives and negatives */
  auc: number;
  stderr: number;
  /** the most `auc` can differ from the exact AUC of the same scores (rocAuc.ts: ½ Σ pos·neg / PN) */
  bound: number;
  /** multiclass: per class index */
  perClass: ({ auc: number; stderr: number } | undefined)[];
}

/** Realized ROC AUC of the labelled predictions counted in `c`; undefined when none is defined. */
export function realizedAuc(c: Float64Array, k: number, scores: ScoreBins): RealizedAuc | undefined {
  const base = scoresOffset(k);
  const perClass: RealizedAuc["perClass"] = new Array(k).fill(undefined);
  const aucs: number[] = [];
  const ses: number[] = [];
  const bounds: number[] = [];
  for (const e of scores.entries) {
    const pos = new Float64Array(e.size);
    const neg = new Float64Array(e.size);
    for (let b = 0; b < e.size; b++) {
      const i = base + 4 * (e.offset + b);
      pos[b] = (c[i] as number) + (c[i + 2] as number);
      neg[b] = (c[i + 1] as number) + (c[i + 3] as number);
    }
    const a = binnedAuc(pos, neg);
    if (!Number.isFinite(a.auc)) continue;
    const se = aucStandardError(a.auc, a.positives, a.negatives);
    perClass[e.classIndex] = { auc: a.auc, stderr: se };
    aucs.push(a.auc);
    ses.push(se * se);
    bounds.push(a.bound);
  }
  if (aucs.length === 0) return undefined;
  const mean = aucs.reduce((x, y) => x + y, 0) / aucs.length;
  const se = Math.sqrt(ses.reduce((x, y) => x + y, 0)) / aucs.length;
  return { auc: mean, stderr: se, bound: bounds.reduce((x, y) => x + y, 0) / bounds.length, perClass };
}

/** Per flat score bin, the labelled predictions predicted as the bin's class and those not (CBPE's input). */
export function labelledBinCounts(
  c: Float64Array,
  k: number,
  scores: ScoreBins,
): { predicted: Float64Array; notPredicted: Float64Array } {
  const base = scoresOffset(k);
  const predicted = new Float64Array(scores.bins);
  const notPredicted = new Float64Array(scores.bins);
  for (let j = 0; j < scores.bins; j++) {
    const i = base + 4 * j;
    predicted[j] = (c[i] as number) + (c[i + 1] as number);
    notPredicted[j] = (c[i + 2] as number) + (c[i + 3] as number);
  }
  return { predicted, notPredicted };
}

/**
 * The classification counts ([n, correct, tp[K], predicted[K], actual[K]], qualityCounts.ts) of
 * the labelled predictions that had a score: what the estimate on the same predictions is checked
 * against (predictions without a score are in the window's other counts, not in CBPE's).
 */
export function scoredCounts(c: Float64Array, k: number, scores: ScoreBins): Float64Array {
  const base = scoresOffset(k);
  const out = new Float64Array(2 + 3 * k);
  const add = (i: number, x: number) => {
    out[i] = (out[i] as number) + x;
  };
  scores.entries.forEach((e, idx) => {
    let pp = 0;
    let np = 0;
    let pn = 0;
    let nn = 0;
    for (let b = 0; b < e.size; b++) {
      const i = base + 4 * (e.offset + b);
      pp += c[i] as number;
      np += c[i + 1] as number;
      pn += c[i + 2] as number;
      nn += c[i + 3] as number;
    }
    const ci = e.classIndex;
    add(2 + ci, pp);
    add(2 + k + ci, pp + np);
    add(2 + 2 * k + ci, pp + pn);
    // every scored prediction is in each class's bins once: n from the first class
    if (idx === 0) add(0, pp + np + pn + nn);
    if (scores.binary) {
      // the other class of a binary model: true negatives are its true positives
      const other = 1 - ci;
      add(2 + other, nn);
      add(2 + k + other, pn + nn);
      add(2 + 2 * k + other, np + nn);
    }
  });
  let correct = 0;
  for (let i = 0; i < k; i++) correct += out[2 + i] as number;
  out[1] = correct;
  return out;
}
