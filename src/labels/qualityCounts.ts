// Mergeable quality counts of a set of joined predictions, and the metrics they give. One flat
// Float64Array per set, so a window slice is an array and merging is an element-wise sum:
// - classification over K classes: [n, correct, tp[K], predicted[K], actual[K]] — the row and
//   column sums and the diagonal of the confusion matrix, all that accuracy, precision, recall and
//   F1 read (3K numbers instead of K², so 1,000 classes stay small);
//   followed, when the model's scores are binned (qualityScores.ts), by 4 counts per score bin;
// - regression: [n, Σ|error|, Σ error², Σ error⁴] (the last for RMSE's standard error).
// K = 0 (classes not configured) keeps n and correct only: accuracy, no per-class metrics.

import { f1Stderr, meanStderr, shareStderr } from "../stats/standardErrors.js";

export type QualityKind =
  | { task: "classification"; classes: number; scoreBins?: number }
  | { task: "regression" };

export function countsWidth(kind: QualityKind): number {
  return kind.task === "regression" ? 4 : 2 + 3 * kind.classes + 4 * (kind.scoreBins ?? 0);
}

/** Where the score bins' counts start in a classification counts array. */
export const scoresOffset = (k: number): number => 2 + 3 * k;

/** One joined classification: predicted and true class indexes (< K when K > 0); w = −1 takes it back. */
export function addClassification(
  c: Float64Array,
  k: number,
  predicted: number,
  actual: number,
  w = 1,
): void {
  c[0] = (c[0] as number) + w;
  if (predicted === actual) c[1] = (c[1] as number) + w;
  if (k === 0) return;
  if (predicted === actual) c[2 + predicted] = (c[2 + predicted] as number) + w;
  c[2 + k + predicted] = (c[2 + k + predicted] as number) + w;
  c[2 + 2 * k + actual] = (c[2 + 2 * k + actual] as number) + w;
}

/** One joined regression: predicted and true value; w = −1 takes it back. */
export function addRegression(c: Float64Array, predicted: number, actual: number, w = 1): void {
  const e = predicted - actual;
  c[0] = (c[0] as number) + w;
  c[1] = (c[1] as number) + w * Math.abs(e);
  c[2] = (c[2] as number) + w * e * e;
  c[3] = (c[3] as number) + w * e * e * e * e;
}

/** target += source, element-wise (the counts of the union of two disjoint sets). */
export function mergeInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + (source[i] as number);
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** per class index; undefined for a class neither predicted nor seen in the labels */
  perClass: (ClassScores | undefined)[];
  /** mean over the classes that were predicted or labelled; undefined when K = 0 */
  macro: ClassScores | undefined;
  /** standard errors (standardErrors.ts) of accuracy, and of each class's and the macro scores */
  stderr: { accuracy: number; perClass: (ClassScores | undefined)[]; macro: ClassScores | undefined };
}

/**
 * scikit-learn's definitions with zero_division=0, over the classes present in the labels or the
 * predictions: precision = tp/predicted, recall = tp/actual, F1 = 2tp/(predicted+actual) (0 where a
 * denominator is 0), macro = their unweighted mean. Undefined (n = 0) gives accuracy NaN.
 */
export function classificationMetrics(c: Float64Array, k: number): ClassificationMetrics {
  const n = c[0] as number;
  const perClass: (ClassScores | undefined)[] = [];
  const perClassSe: (ClassScores | undefined)[] = [];
  let sp = 0;
  let sr = 0;
  let sf = 0;
  let present = 0;
  for (let i = 0; i < k; i++) {
    const tp = c[2 + i] as number;
    const predicted = c[2 + k + i] as number;
    const actual = c[2 + 2 * k + i] as number;
    if (predicted + actual === 0) {
      perClass.push(undefined);
      perClassSe.push(undefined);
      continue;
    }
    const s = {
      precision: predicted > 0 ? tp / predicted : 0,
      recall: actual > 0 ? tp / actual : 0,
      f1: (2 * tp) / (predicted + actual),
    };
    perClass.push(s);
    perClassSe.push({
      // a zero_division 0 has no spread
      precision: predicted > 0 ? shareStderr(s.precision, predicted) : 0,
      recall: actual > 0 ? shareStderr(s.recall, actual) : 0,
      f1: f1Stderr(tp, predicted, actual),
    });
    sp += s.precision;
    sr += s.recall;
    sf += s.f1;
    present++;
  }
  const accuracy = (c[1] as number) / n;
  const ses = perClassSe.filter((x): x is ClassScores => x !== undefined);
  return {
    n,
    accuracy,
    perClass,
    macro: present > 0 ? { precision: sp / present, recall: sr / present, f1: sf / present } : undefined,
    stderr: {
      accuracy: shareStderr(accuracy, n),
      perClass: perClassSe,
      macro:
        present > 0
          ? {
              precision: meanStderr(ses.map((x) => x.precision)),
              recall: meanStderr(ses.map((x) => x.recall)),
              f1: meanStderr(ses.map((x) => x.f1)),
            }
          : undefined,
    },
  };
}

export interface RegressionMetrics {
  n: number;
  mae: number;
  rmse: number;
  /** standard errors: of the mean of |e|, and of √(mean e²) by the delta method */
  maeStderr: number;
  rmseStderr: number;
}

export function regressionMetrics(c: Float64Array): RegressionMetrics {
  const n = c[0] as number;
  const mae = (c[1] as number) / n;
  const mse = (c[2] as number) / n;
  const rmse = Math.sqrt(mse);
  const varAbs = Math.max(mse - mae * mae, 0);
  const varSq = Math.max((c[3] as number) / n - mse * mse, 0);
  return {
    n,
    mae,
    rmse,
    maeStderr: Math.sqrt(varAbs / n),
    rmseStderr: rmse > 0 ? Math.sqrt(varSq / n) / (2 * rmse) : 0,
  };
}
