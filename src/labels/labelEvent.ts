// What every label source (POST /v1/labels, a `label` in /v1/events, Seldon feedback CloudEvents,
// the Kafka labels topic) turns ground truth into, and how a JSON object is read as one.
import { isObject } from "../adapters/jsonBody.js";

/** One ground-truth label for one prediction, joined by (model, id). */
export interface LabelEvent {
  model: string;
  /** the prediction's request id (rows of a multi-row request: `<id>:<row>`) */
  id: string;
  /** the true class (classification) or value (regression), as sent; checked against the model */
  label: unknown;
  /** when the truth was observed, ms since the epoch; the arrival time when absent */
  time?: number | undefined;
}

export type LabelRead = { ok: true; label: LabelEvent } | { ok: false; model: string; reason: "wrong_shape" };

/**
 * `{model, id, label}` (classification) or `{model, id, value}` (regression), optional `time`
 * (ms since the epoch or ISO 8601). The value's type is checked later, against the model's task.
 */
export function toLabelEvent(x: unknown): LabelRead {
  if (!isObject(x)) return { ok: false, model: "unknown", reason: "wrong_shape" };
  const model = typeof x.model === "string" && x.model !== "" ? x.model : undefined;
  const id =
    typeof x.id === "string" || (typeof x.id === "number" && Number.isFinite(x.id))
      ? String(x.id)
      : undefined;
  const label = x.label !== undefined ? x.label : x.value;
  if (model === undefined || id === undefined || id === "" || label === undefined || label === null)
    return { ok: false, model: model ?? "unknown", reason: "wrong_shape" };
  const e: LabelEvent = { model, id, label };
  const t = timeOf(x.time);
  if (t !== undefined) e.time = t;
  return { ok: true, label: e };
}

/** Milliseconds since the epoch from a number (ms) or an ISO 8601 string. */
export function timeOf(t: unknown): number | undefined {
  if (typeof t === "number" && Number.isFinite(t)) return t;
  if (typeof t === "string") {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}
