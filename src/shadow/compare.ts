// Request-by-request comparison of the primary's and the shadow's answers to the same request,
// both decoded with the model's protocol adapter. Pure: rows are matched by position (the same
// request body gives both servers the same rows in the same order).
//   classification  rows agree when the predicted classes are equal; binary scores also give
//                   |Δscore| for the difference histogram
//   regression      rows agree when |shadow − primary| ≤ absolute + relative × |primary|
//                   (shadow.tolerance); the difference is |s − p| / max(|s|, |p|) (0 when both are 0)
import type { DecodeResult, InferenceEvent } from "../adapters/inferenceEvent.js";
import type { ModelConfig } from "../config/model.js";
import type { ShadowSkipReason } from "../export/shadowMetrics.js";
import type { PredictionReader, PredictionReading } from "../monitor/predictionReading.js";

export interface RowComparison {
  /** undefined: a side has no readable prediction in this row */
  agree: boolean | undefined;
  /** for the difference histogram, when both sides have a score or value */
  difference: number | undefined;
  /** the shadow's reading (its class and score feed the shadow's distribution and drift) */
  shadow: PredictionReading;
}

/** Buckets of |Δscore| (classification) and of the relative difference of values (regression). */
export const DIFFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

export type Comparison =
  | { kind: "rows"; rows: RowComparison[] }
  | { kind: "skipped"; reason: ShadowSkipReason };

/** |s − p| / max(|s|, |p|), in [0, 2]; 0 when both are 0. */
export function relativeDifference(s: number, p: number): number {
  const scale = Math.max(Math.abs(s), Math.abs(p));
  return scale === 0 ? 0 : Math.abs(s - p) / scale;
}

const events = (r: DecodeResult): InferenceEvent[] | undefined =>
  r.kind === "events" ? r.events : undefined;

export function compareAnswers(
  model: ModelConfig,
  read: PredictionReader,
  tolerance: { absolute: number; relative: number },
  primary: DecodeResult,
  shadow: DecodeResult,
): Comparison {
  const a = events(primary);
  const b = events(shadow);
  if (!a || !b) return { kind: "skipped", reason: "unreadable" };
  if (a.length !== b.length) return { kind: "skipped", reason: "row_mismatch" };
  const regression = model.task === "regression";
  const binary = model.task === "binary_classification";
  const rows = a.map((pe, i): RowComparison => {
    const se = b[i] as InferenceEvent;
    const p = pe.prediction === undefined ? {} : read(pe.prediction);
    const s = se.prediction === undefined ? {} : read(se.prediction);
    if (regression) {
      if (p.score === undefined || s.score === undefined)
        return { agree: undefined, difference: undefined, shadow: s };
      return {
        agree: Math.abs(s.score - p.score) <= tolerance.absolute + tolerance.relative * Math.abs(p.score),
        difference: relativeDifference(s.score, p.score),
        shadow: s,
      };
    }
    const agree = p.cls !== undefined && s.cls !== undefined ? p.cls === s.cls : undefined;
    // multiclass scores are the winning class's: not comparable when the classes differ
    const difference =
      binary && p.score !== undefined && s.score !== undefined ? Math.abs(s.score - p.score) : undefined;
    return { agree, difference, shadow: s };
  });
  return { kind: "rows", rows };
}
