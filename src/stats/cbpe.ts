// Confidence-based performance estimation (CBPE; NannyML, docs/adr/0022-estimated-performance.md):
// with calibrated scores, a prediction of class k whose calibrated probability of k is p is right
// with probability p, so over a window the confusion matrix is expected to be
//   TP_k = Σ_{predicted k} p,  FP_k = Σ_{predicted k} (1 − p),  FN_k = Σ_{not predicted k} p
// and accuracy, precision, recall and F1 follow from it (ratios of the expected counts, as
// NannyML); ROC AUC weighs each prediction as p of a positive and 1 − p of a negative, ranked by
// the model's own score. Per score bin the calibration is one number, so the window's state is
// counts per bin: (predicted as the class, not predicted as it).
//
// The standard errors are those of the realized metric given the scores: each prediction is a
// Bernoulli(p) draw, so Var(TP_k) = Σ_{predicted k} p(1 − p), Var(FN_k) = Σ_{not predicted k} p(1 − p),
// propagated to the ratios by the delta method; realized values should fall within ± 2 of them
// when the calibration holds (shift in P(y | score) is what CBPE cannot see).
import { aucStandardError, binnedAuc } from "./rocAuc.js";
import type { ScoreBins } from "./scoreBins.js";
import { meanStderr } from "./standardErrors.js";

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

interface ClassCounts {
  tp: number;
  predicted: number;
  fn: number;
  /** variances of tp and fn */
  vTp: number;
  vFn: number;
}

export interface Estimate {
  /** predictions with a score */
  n: number;
  accuracy: number;
  /** per class index of the model's classes; undefined for a class neither predicted nor expected */
  perClass: (ClassScores | undefined)[];
  macro: ClassScores | undefined;
  /** binary: the AUC; multiclass: the macro average of the classes' one-vs-rest AUCs */
  auc: number;
  /** multiclass: per class index */
  perClassAuc: (number | undefined)[];
  stderr: {
    accuracy: number;
    perClass: (ClassScores | undefined)[];
    macro: ClassScores | undefined;
    auc: number;
    perClassAuc: (number | undefined)[];
  };
}

/**
 * The estimate from, per flat score bin, the predictions predicted as the bin's class and those
 * not. `classes` is the model's class count. Undefined without a calibration or a prediction.
 */
export function estimate(
  bins: ScoreBins,
  classes: number,
  predicted: ArrayLike<number>,
  notPredicted: ArrayLike<number>,
): Estimate | undefined {
  if (!bins.calibrated) return undefined;
  const per: (ClassCounts | undefined)[] = new Array(classes).fill(undefined);
  const perClassAuc: (number | undefined)[] = new Array(classes).fill(undefined);
  const perClassAucSe: (number | undefined)[] = new Array(classes).fill(undefined);
  let n = 0;
  for (const e of bins.entries) {
    const cal = e.calibrated as Float64Array;
    const c: ClassCounts = { tp: 0, predicted: 0, fn: 0, vTp: 0, vFn: 0 };
    const pos = new Float64Array(e.size);
    const neg = new Float64Array(e.size);
    let scored = 0;
    for (let b = 0; b < e.size; b++) {
      const p = cal[b] as number;
      const np = predicted[e.offset + b] as number;
      const nn = notPredicted[e.offset + b] as number;
      c.tp += np * p;
      c.predicted += np;
      c.fn += nn * p;
      c.vTp += np * p * (1 - p);
      c.vFn += nn * p * (1 - p);
      pos[b] = (np + nn) * p;
      neg[b] = (np + nn) * (1 - p);
      scored += np + nn;
    }
    per[e.classIndex] = c;
    const a = binnedAuc(pos, neg);
    if (Number.isFinite(a.auc)) {
      perClassAuc[e.classIndex] = a.auc;
      perClassAucSe[e.classIndex] = aucStandardError(a.auc, a.positives, a.negatives);
    }
    n = bins.binary ? scored : n + c.predicted;
  }
  if (!(n > 0)) return undefined;
  if (bins.binary) {
    // class 0 is the other side of class 1's confusion matrix
    const one = per[1] as ClassCounts;
    const notPred = n - one.predicted;
    per[0] = {
      tp: notPred - one.fn,
      predicted: notPred,
      fn: one.predicted - one.tp,
      vTp: one.vFn,
      vFn: one.vTp,
    };
  }
  let correct = 0;
  let vCorrect = 0;
  const perClass: (ClassScores | undefined)[] = [];
  const perClassSe: (ClassScores | undefined)[] = [];
  for (const c of per) {
    if (!c) {
      perClass.push(undefined);
      perClassSe.push(undefined);
      continue;
    }
    correct += c.tp;
    vCorrect += c.vTp;
    const actual = c.tp + c.fn;
    if (c.predicted + actual === 0) {
      perClass.push(undefined);
      perClassSe.push(undefined);
      continue;
    }
    const d = c.tp + c.predicted + c.fn;
    perClass.push({
      precision: c.predicted > 0 ? c.tp / c.predicted : 0,
      recall: actual > 0 ? c.tp / actual : 0,
      f1: d > 0 ? (2 * c.tp) / d : 0,
    });
    perClassSe.push({
      precision: c.predicted > 0 ? Math.sqrt(c.vTp) / c.predicted : 0,
      recall: actual > 0 ? Math.sqrt(c.fn * c.fn * c.vTp + c.tp * c.tp * c.vFn) / (actual * actual) : 0,
      f1: d > 0 ? (2 * Math.sqrt((c.predicted + c.fn) ** 2 * c.vTp + c.tp * c.tp * c.vFn)) / (d * d) : 0,
    });
  }
  const present = perClass.filter((x): x is ClassScores => x !== undefined);
  const presentSe = perClassSe.filter((x): x is ClassScores => x !== undefined);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const aucs = perClassAuc.filter((x): x is number => x !== undefined);
  const aucSes = perClassAucSe.filter((x): x is number => x !== undefined);
  return {
    n,
    accuracy: correct / n,
    perClass,
    macro:
      present.length > 0
        ? {
            precision: mean(present.map((x) => x.precision)),
            recall: mean(present.map((x) => x.recall)),
            f1: mean(present.map((x) => x.f1)),
          }
        : undefined,
    auc: aucs.length > 0 ? mean(aucs) : Number.NaN,
    perClassAuc,
    stderr: {
      accuracy: Math.sqrt(vCorrect) / n,
      perClass: perClassSe,
      macro:
        presentSe.length > 0
          ? {
              precision: meanStderr(presentSe.map((x) => x.precision)),
              recall: meanStderr(presentSe.map((x) => x.recall)),
              f1: meanStderr(presentSe.map((x) => x.f1)),
            }
          : undefined,
      auc: aucSes.length > 0 ? meanStderr(aucSes) : Number.NaN,
      perClassAuc: perClassAucSe,
    },
  };
}
