// What a prediction means for a model's task: a class (classification) and/or a score or value.
// Decided per model at construction; reading is then a few comparisons.
import type { ModelConfig } from "../config/model.js";
import { finiteNumber } from "../stats/finiteNumber.js";

export interface PredictionReading {
  /** class label (classification), undefined when it cannot be told */
  cls?: string | undefined;
  /** score of the positive class (binary) or the winning class (multiclass), or regression value */
  score?: number | undefined;
  /** multiclass: the class probabilities as received (in class order), for one-vs-rest scores */
  probs?: readonly unknown[] | undefined;
}

export type PredictionReader = (raw: unknown) => PredictionReading;

// the shared rule: a prediction of 1e309 or "inf" is no score
const num = finiteNumber;

export function predictionReader(model: ModelConfig): PredictionReader {
  const classes = model.prediction.classes;
  const threshold = model.prediction.threshold;
  if (model.task === "regression") return (raw) => ({ score: num(raw) });
  if (model.task === "binary_classification") {
    const neg = classes?.[0] ?? "0";
    const pos = classes?.[1] ?? "1";
    return (raw) => {
      const p = Array.isArray(raw) ? num(raw[raw.length - 1]) : num(raw);
      // a label (not a probability) is a class as it is
      if (typeof raw === "string" && classes?.includes(raw)) return { cls: raw };
      if (p === undefined) return {};
      return { cls: p >= threshold ? pos : neg, score: p };
    };
  }
  return (raw) => {
    if (Array.isArray(raw)) {
      let best = -1;
      let bestP = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < raw.length; i++) {
        const p = num(raw[i]);
        if (p !== undefined && p > bestP) [best, bestP] = [i, p];
      }
      if (best < 0) return {};
      return { cls: classes?.[best] ?? String(best), score: bestP, probs: raw };
    }
    if (typeof raw === "string") return { cls: raw };
    const n = num(raw);
    if (n === undefined) return {};
    return { cls: Number.isInteger(n) && classes?.[n] !== undefined ? classes[n] : String(n) };
  };
}
