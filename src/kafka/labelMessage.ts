// Stand-in for src/labels/labelEvent.ts (built on the `labels` branch) until it is merged.
import { isObject } from "../adapters/jsonBody.js";

export interface LabelEvent {
  model: string;
  id: string;
  label: unknown;
  time?: number | undefined;
}

export type LabelRead = { ok: true; label: LabelEvent } | { ok: false; model: string; reason: "wrong_shape" };

export function toLabelEvent(x: unknown): LabelRead {
  if (!isObject(x)) return { ok: false, model: "unknown", reason: "wrong_shape" };
  const model = typeof x.model === "string" && x.model !== "" ? x.model : undefined;
  const id = typeof x.id === "string" || typeof x.id === "number" ? String(x.id) : undefined;
  const label = x.label !== undefined ? x.label : x.value;
  if (model === undefined || id === undefined || id === "" || label === undefined || label === null)
    return { ok: false, model: model ?? "unknown", reason: "wrong_shape" };
  const e: LabelEvent = { model, id, label };
  if (typeof x.time === "number" && Number.isFinite(x.time)) e.time = x.time;
  return { ok: true, label: e };
}
