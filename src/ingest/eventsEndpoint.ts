// POST /v1/events: InferenceEvents as a JSON object, a JSON array, or NDJSON (one per line).
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { isObject } from "../adapters/jsonBody.js";
import { MALFORMED, readJsonItems } from "../labels/labelsEndpoint.js";

export type EventRead =
  | { ok: true; event: Omit<InferenceEvent, "version" | "id"> & { version?: string; id?: string } }
  | { ok: false; model: string; reason: "malformed_json" | "wrong_shape" };

/** Each item of the body, read as an event or as the reason it is not one. */
export function readEvents(body: Buffer, now: number): EventRead[] {
  return readJsonItems(body).map((x) => toEvent(x, now));
}

function toEvent(x: unknown, now: number): EventRead {
  if (x === MALFORMED) return { ok: false, model: "unknown", reason: "malformed_json" };
  if (!isObject(x)) return { ok: false, model: "unknown", reason: "wrong_shape" };
  const model = typeof x.model === "string" ? x.model : undefined;
  if (model === undefined || !isObject(x.features))
    return { ok: false, model: model ?? "unknown", reason: "wrong_shape" };
  const e: EventRead & { ok: true } = {
    ok: true,
    event: { model, features: x.features, time: timeOf(x.time, now) },
  };
  if (typeof x.version === "string") e.event.version = x.version;
  if (typeof x.id === "string" || typeof x.id === "number") e.event.id = String(x.id);
  if (x.prediction !== undefined) e.event.prediction = x.prediction;
  if (x.label !== undefined && x.label !== null) e.event.label = x.label;
  // the other id a client saw (published by a sidecar as `requestId`)
  const rid = x.request_id ?? x.requestId;
  if (typeof rid === "string" && rid !== "") e.event.requestId = rid;
  if (x.predictionKind === "score" || x.predictionKind === "label") e.event.predictionKind = x.predictionKind;
  // checked against the model's variant names where it is counted (anything else is `other`)
  if (typeof x.variant === "string") e.event.variant = x.variant;
  return e;
}

/** Milliseconds since the epoch from a number (ms) or an ISO 8601 string; `now` otherwise. */
function timeOf(t: unknown, now: number): number {
  if (typeof t === "number" && Number.isFinite(t)) return t;
  if (typeof t === "string") {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  return now;
}
