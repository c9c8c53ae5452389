// Which output of a response holds the prediction: the one named `prediction.output`. A configured
// name is never replaced by another output (a `predict` of class labels read in place of a missing
// `predict_proba` made prediction drift meaningless); only when `output` was left at its default
// is a response with a single output read as the prediction.
import type { PredictionConfig } from "../config/model.js";
import type { PredictionError } from "./inferenceEvent.js";

export function chooseOutput<T extends { name: string }>(
  outputs: readonly T[],
  p: PredictionConfig,
): T | PredictionError | undefined {
  if (!p.monitored) return undefined;
  let hit: T | undefined;
  for (const o of outputs) if (o.name === p.output) hit = o;
  if (hit) return hit;
  if (!p.outputConfigured && outputs.length === 1) return outputs[0];
  return outputNotFound(
    outputs.map((o) => o.name),
    p,
  );
}

export function outputNotFound(names: readonly string[], p: PredictionConfig): PredictionError {
  const listed = names.length === 0 ? "none" : names.slice(0, 10).join(", ");
  return {
    reason: "output_not_found",
    detail: p.outputConfigured
      ? `prediction.output "${p.output}" is not in the response (its outputs: ${listed}); the client may not have requested it, or set prediction.output to one of these`
      : `the response has several outputs (${listed}) and prediction.output is not set: name the one holding the prediction`,
  };
}

export const isPredictionError = (x: unknown): x is PredictionError =>
  typeof x === "object" && x !== null && "reason" in x && "detail" in x;
