// Whether a classification prediction is class labels or scores, when the output's datatype did not
// tell: a prediction of the other kind than the reference profile's is never binned as this kind.
import type { PredictionKind } from "../adapters/inferenceEvent.js";

/**
 * A classification prediction's kind from its value, when the output's datatype did not tell:
 * text and booleans are labels, lists are probabilities; a number is a score when it can be one
 * (in [0, 1] where scores are expected, not a whole number where labels are).
 */
export function kindOf(raw: unknown, expected: PredictionKind): PredictionKind {
  if (Array.isArray(raw)) return raw.length === 1 ? kindOf(raw[0], expected) : "score";
  if (typeof raw === "string") {
    const n = raw.trim() === "" ? Number.NaN : Number(raw);
    return Number.isFinite(n) ? kindOf(n, expected) : "label";
  }
  if (typeof raw === "boolean") return "label";
  if (typeof raw !== "number" || !Number.isFinite(raw)) return expected; // unreadable: not a kind
  if (expected === "score") return raw >= 0 && raw <= 1 ? "score" : Number.isInteger(raw) ? "label" : "score";
  return Number.isInteger(raw) ? "label" : "score";
}

/** A prediction as a log line shows it: its JSON, cut at 60 characters. */
export function sample(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
