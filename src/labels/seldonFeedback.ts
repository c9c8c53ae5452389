// Seldon Core's feedback CloudEvents (type io.seldon.serving.feedback): the body is Seldon's
// Feedback message, {request, response, truth, reward}. The truth becomes one label per row,
// joined to the prediction by the id the prediction was recorded under: the response's (or
// request's) `meta.puid` (Seldon's puid, the ce-requestid of the logged prediction), else an OIP v2
// `id` in the response or request, else the event's own ce-requestid. Rows of a multi-row truth get
// `<id>:<row>`, as the adapters name the rows of a multi-row prediction.
import { flatten, isObject } from "../adapters/jsonBody.js";
import type { LabelEvent } from "./labelEvent.js";

export const SELDON_FEEDBACK = "io.seldon.serving.feedback";

export type FeedbackRead = { ok: true; labels: LabelEvent[] } | { ok: false; reason: "wrong_shape" };

export function readFeedback(body: unknown, model: string, requestId: string | undefined): FeedbackRead {
  if (!isObject(body)) return { ok: false, reason: "wrong_shape" };
  const id =
    puid(body.response) ?? puid(body.request) ?? v2Id(body.response) ?? v2Id(body.request) ?? requestId;
  const rows = truthRows(body.truth);
  if (id === undefined || rows === undefined || rows.length === 0)
    return { ok: false, reason: "wrong_shape" };
  return {
    ok: true,
    labels: rows.map((label, i) => ({ model, id: rows.length === 1 ? id : `${id}:${i}`, label })),
  };
}

function puid(m: unknown): string | undefined {
  if (!isObject(m) || !isObject(m.meta)) return undefined;
  const p = m.meta.puid;
  return typeof p === "string" && p !== "" ? p : undefined;
}

function v2Id(m: unknown): string | undefined {
  return isObject(m) && typeof m.id === "string" && m.id !== "" ? m.id : undefined;
}

/** One value per row: Seldon's data.ndarray / data.tensor / jsonData / strData, or OIP v2 outputs. */
function truthRows(t: unknown): unknown[] | undefined {
  if (!isObject(t)) return undefined;
  const d = t.data;
  if (isObject(d)) {
    if (Array.isArray(d.ndarray)) return d.ndarray.map(rowValue);
    if (isObject(d.tensor) && Array.isArray(d.tensor.values)) {
      const shape = Array.isArray(d.tensor.shape) ? d.tensor.shape : [];
      const values = d.tensor.values;
      const width = shape.length >= 2 && typeof shape[1] === "number" ? shape[1] : 1;
      if (width <= 1) return values;
      const rows: unknown[] = [];
      for (let i = 0; i < values.length; i += width) rows.push(rowValue(values.slice(i, i + width)));
      return rows;
    }
  }
  if (typeof t.strData === "string") return [t.strData];
  if (t.jsonData !== undefined) return Array.isArray(t.jsonData) ? t.jsonData.map(rowValue) : [t.jsonData];
  if (Array.isArray(t.outputs) && isObject(t.outputs[0])) {
    const o = t.outputs[0];
    const data = flatten(o.data);
    const shape = Array.isArray(o.shape) ? o.shape : [];
    const width = shape.length >= 2 && typeof shape[1] === "number" ? shape[1] : 1;
    if (width <= 1) return data;
    const rows: unknown[] = [];
    for (let i = 0; i < data.length; i += width) rows.push(rowValue(data.slice(i, i + width)));
    return rows;
  }
  return undefined;
}

/** A row `[v]` is v; a longer row (one-hot or scores) is the index of its largest entry. */
function rowValue(r: unknown): unknown {
  if (!Array.isArray(r)) return r;
  if (r.length === 1) return r[0];
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  r.forEach((v, i) => {
    if (typeof v === "number" && v > bestV) [best, bestV] = [i, v];
  });
  return best >= 0 ? best : undefined;
}
