// How one Kafka message is read: the predictions topic carries InferenceEvents as JSON (the
// message key is the request id when the event has none), the labels topic `{model, id, label}`
// or `{model, id, value}`. Pure: the consumer counts the outcome and commits either way.
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { isObject } from "../adapters/jsonBody.js";
import { readEvents } from "../ingest/eventsEndpoint.js";

/** `infermon_kafka_messages_total{outcome}` of a consumed message. */
export type ConsumeOutcome =
  | "applied"
  | "duplicate"
  | "conflict"
  | "restored"
  | "malformed_json"
  | "wrong_shape"
  | "unknown_model"
  | "invalid";

/** `infermon_kafka_messages_total{outcome}` of a message the sidecar publishes. */
export type PublishOutcome = "published" | "dropped" | "failed";

export const CONSUME_OUTCOMES: readonly ConsumeOutcome[] = [
  "applied",
  "duplicate",
  "conflict",
  "restored",
  "malformed_json",
  "wrong_shape",
  "unknown_model",
  "invalid",
];
export const PUBLISH_OUTCOMES: readonly PublishOutcome[] = ["published", "dropped", "failed"];

export type PredictionRead =
  | { ok: true; events: Omit<InferenceEvent, "version">[]; versions: (string | undefined)[] }
  | { ok: false; outcome: "malformed_json" | "wrong_shape" };

/**
 * One message of the predictions topic: a JSON InferenceEvent (an array of them is accepted too).
 * Events without an id take the message key (the request id the producer keyed it by).
 */
export function readPredictionMessage(value: Buffer | null, key: Buffer | null, now: number): PredictionRead {
  if (!value || value.length === 0) return { ok: false, outcome: "wrong_shape" };
  const first = firstNonSpace(value);
  // readEvents also reads NDJSON; a message is one JSON value, so anything else is malformed
  if (first !== 0x7b && first !== 0x5b) return { ok: false, outcome: "malformed_json" };
  const reads = readEvents(value, now);
  if (reads.length === 0) return { ok: false, outcome: "wrong_shape" };
  const keyId = key && key.length > 0 ? key.toString("utf8") : undefined;
  const events: Omit<InferenceEvent, "version">[] = [];
  const versions: (string | undefined)[] = [];
  for (const [i, r] of reads.entries()) {
    if (!r.ok) return { ok: false, outcome: r.reason };
    const id = r.event.id ?? (keyId === undefined ? undefined : reads.length > 1 ? `${keyId}:${i}` : keyId);
    if (id === undefined) return { ok: false, outcome: "wrong_shape" };
    const { version, ...rest } = r.event;
    events.push({ ...rest, id });
    versions.push(version);
  }
  return { ok: true, events, versions };
}

export type LabelMessageRead = { ok: true; json: unknown } | { ok: false; outcome: "malformed_json" };

/**
 * One message of the labels topic as parsed JSON (the label join reads its shape and type); an
 * object without an id takes the message key.
 */
export function readLabelMessage(value: Buffer | null, key: Buffer | null): LabelMessageRead {
  if (!value || value.length === 0) return { ok: false, outcome: "malformed_json" };
  let x: unknown;
  try {
    x = JSON.parse(value.toString("utf8"));
  } catch {
    return { ok: false, outcome: "malformed_json" };
  }
  if (isObject(x) && x.id === undefined && key && key.length > 0) x = { ...x, id: key.toString("utf8") };
  return { ok: true, json: x };
}

function firstNonSpace(b: Buffer): number {
  for (const c of b) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  return -1;
}
