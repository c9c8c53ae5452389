// Open Inference Protocol v2 (KServe v2, Triton REST) → InferenceEvents, one per row.
// Features: one input tensor per feature named like it ([n] or [n,1]), or a single [n,k] input whose
// columns follow the configured feature order. Prediction: the output named `prediction.output`, or
// the first output; for classification a [n,c] output is class probabilities.
import type { ModelConfig } from "../config/model.js";
import {
  type DecodeResult,
  type Exchange,
  type InferenceEvent,
  type ParseErrorReason,
  type ProtocolAdapter,
  parseError,
} from "./inferenceEvent.js";
import { flatten, isObject, readJson } from "./jsonBody.js";
import { attachBinaryTensors } from "./oipBinary.js";
import { predictionRows } from "./predictionRows.js";

interface Tensor {
  name: string;
  shape: number[];
  data: unknown[];
}

type Body =
  | { ok: true; json: Record<string, unknown>; tensors: Tensor[] }
  | { ok: false; reason: ParseErrorReason };

export function openInferenceV2(model: ModelConfig): ProtocolAdapter {
  const names = model.features.map((f) => f.name);
  const output = model.prediction.output;
  const classification = model.task !== "regression";
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.request) return parseError("missing_body");
      const req = readBody(x.request, x.requestJsonLength, "inputs");
      if (!req.ok) return parseError(req.reason);
      const rows = featureRows(req.tensors, names);
      if (typeof rows === "string") return parseError(rows);
      let version = model.version;
      let id = typeof req.json.id === "string" && req.json.id !== "" ? req.json.id : x.requestId;
      let predictions: unknown[] | undefined;
      if (x.response) {
        const res = readBody(x.response, x.responseJsonLength, "outputs");
        if (!res.ok) return parseError(res.reason);
        if (typeof res.json.model_version === "string" && res.json.model_version !== "")
          version = res.json.model_version;
        if (typeof res.json.id === "string" && res.json.id !== "") id = res.json.id;
        const out = res.tensors.find((t) => t.name === output) ?? res.tensors[0];
        if (out) {
          const p = predictionRows(out.data, out.shape, rows.length, classification, model.task);
          if (p === undefined) return parseError("row_mismatch");
          predictions = p;
        }
      }
      const events: InferenceEvent[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const e: InferenceEvent = {
          model: model.name,
          version,
          id: rows.length === 1 ? id : `${id}:${i}`,
          features: rows[i] as Record<string, unknown>,
          time: x.time,
        };
        if (predictions) e.prediction = predictions[i];
        events[i] = e;
      }
      return { kind: "events", events };
    },
  };
}

function readBody(body: Buffer, jsonLength: number | undefined, key: "inputs" | "outputs"): Body {
  const binary = jsonLength !== undefined;
  if (binary && (jsonLength < 0 || jsonLength > body.length)) return { ok: false, reason: "truncated" };
  const r = readJson(binary ? body.subarray(0, jsonLength) : body);
  if (!r.ok) return r;
  if (!isObject(r.value) || !Array.isArray(r.value[key])) return { ok: false, reason: "wrong_shape" };
  const raw = r.value[key] as unknown[];
  if (!raw.every(isObject)) return { ok: false, reason: "wrong_shape" };
  if (binary) {
    const err = attachBinaryTensors(raw, body.subarray(jsonLength));
    if (err) return { ok: false, reason: err };
  }
  const tensors: Tensor[] = [];
  for (const t of raw as Record<string, unknown>[]) {
    if (typeof t.name !== "string" || t.data === undefined) return { ok: false, reason: "wrong_shape" };
    const data = flatten(t.data);
    const shape =
      Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)
        ? (t.shape as number[])
        : [data.length];
    tensors.push({ name: t.name, shape, data });
  }
  return { ok: true, json: r.value, tensors };
}

/** Rows of feature values, or the reason the inputs do not fit the configured features. */
function featureRows(
  tensors: Tensor[],
  names: readonly string[],
): Record<string, unknown>[] | ParseErrorReason {
  // one tensor per feature (the usual case): found by a scan, no Map per request. A feature whose
  // tensor is absent is missing in every row (as with the json protocol), not a reason to drop the
  // features that are there.
  const cols: (Tensor | undefined)[] = new Array(names.length);
  let first: Tensor | undefined;
  for (let j = 0; j < names.length; j++) {
    const name = names[j] as string;
    let found: Tensor | undefined;
    for (const t of tensors)
      if (t.name === name) {
        found = t; // the last of duplicate names wins, as with a Map
      }
    cols[j] = found;
    first ??= found;
  }
  if (first) {
    const n = first.shape[0] ?? first.data.length;
    for (const t of cols)
      if (t && ((t.shape[0] ?? t.data.length) !== n || t.data.length !== n)) return "row_mismatch";
    // row-major, keys in the configured order: every row object gets the same shape
    const k = names.length;
    const rows: Record<string, unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r: Record<string, unknown> = {};
      for (let j = 0; j < k; j++) r[names[j] as string] = cols[j]?.data[i];
      rows[i] = r;
    }
    return rows;
  }
  // a model without features (monitored for its predictions and requests only): one empty row
  // per row of the first input, so its predictions are still read
  if (names.length === 0 && tensors[0]) {
    const n = tensors[0].shape[0] ?? tensors[0].data.length;
    return Array.from({ length: n }, () => ({}));
  }
  const only = tensors.length === 1 ? tensors[0] : undefined;
  if (only && only.shape.length === 2 && only.shape[1] === names.length) {
    const n = only.shape[0] as number;
    const k = names.length;
    if (only.data.length !== n * k) return "row_mismatch";
    const rows: Record<string, unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r: Record<string, unknown> = {};
      for (let j = 0; j < k; j++) r[names[j] as string] = only.data[i * k + j];
      rows[i] = r;
    }
    return rows;
  }
  return "wrong_shape";
}
