// One prediction per row from an output tensor (OIP) or column (TF-Serving): [n] / [n,1] → the value;
// [n,c] → class probabilities (binary: the positive class's score; multiclass: the vector).
import type { Task } from "../config/model.js";

export function predictionRows(
  data: readonly unknown[],
  shape: readonly number[],
  rows: number,
  classification: boolean,
  task: Task,
): unknown[] | undefined {
  const width = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  if (data.length !== rows * width) return undefined;
  if (width === 1) return data.slice();
  if (!classification) return undefined;
  const out = new Array<unknown>(rows);
  for (let i = 0; i < rows; i++) {
    const probs = data.slice(i * width, (i + 1) * width);
    out[i] = task === "binary_classification" && width === 2 ? probs[1] : probs;
  }
  return out;
}
