// Open Inference Protocol v2 (MLServer, KServe v2, Triton REST) → InferenceEvents, one per row.
// Features: found by the model's FeatureLayout (one input tensor per feature, columns of a
// multi-column input by `input:`/`column:`, or a single [n,k] input with every column in order).
// Prediction: the output named `prediction.output` (outputChoice.ts); for classification an
// [n,c] output is class probabilities. JSON and the binary tensor extension.
import type { ModelConfig } from "../config/model.js";
import { FeatureLayout, type Tensor as LayoutTensor } from "./featureLayout.js";
import {
  type DecodeResult,
  type Exchange,
  type InferenceEvent,
  type ParseErrorReason,
  type PredictionError,
  type PredictionKind,
  type ProtocolAdapter,
  parseError,
} from "./inferenceEvent.js";
import { flatten, isObject, readJson } from "./jsonBody.js";
import { attachBinaryTensors } from "./oipBinary.js";
import { chooseOutput, isPredictionError } from "./outputChoice.js";
import { predictionRows } from "./predictionRows.js";

interface Tensor extends LayoutTensor {
  name: string;
  datatype: string | undefined;
}

type Body =
  | { ok: true; json: Record<string, unknown>; tensors: Tensor[] }
  | { ok: false; reason: ParseErrorReason };

/** Datatypes that can only hold class labels, never scores. */
const LABEL_TYPES = /^(BYTES|BOOL|U?INT(8|16|32|64))$/;

export function openInferenceV2(model: ModelConfig): ProtocolAdapter {
  const layout = new FeatureLayout(model.features);
  const classification = model.task !== "regression";
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.request) return parseError("missing_body");
      const req = readBody(x.request, x.requestJsonLength, "inputs");
      if (!req.ok) return parseError(req.reason);
      const rows = layout.rows(req.tensors);
      if (!Array.isArray(rows)) return parseError(rows.reason, rows.detail);
      let version = model.version;
      const bodyId = (b: Record<string, unknown>) =>
        typeof b.id === "string" && b.id !== "" ? b.id : undefined;
      let id = bodyId(req.json);
      let predictions: unknown[] | undefined;
      let kind: PredictionKind | undefined;
      let predictionError: PredictionError | undefined;
      if (x.response) {
        const res = readBody(x.response, x.responseJsonLength, "outputs");
        if (!res.ok) return parseError(res.reason);
        if (typeof res.json.model_version === "string" && res.json.model_version !== "")
          version = res.json.model_version;
        id = bodyId(res.json) ?? id;
        const out = chooseOutput(res.tensors, model.prediction);
        if (isPredictionError(out)) predictionError = out;
        else if (out) {
          const p = predictionRows(out.data, out.shape, rows.length, classification, model.task);
          if (p === undefined)
            return parseError(
              "row_mismatch",
              `output ${out.name} has shape [${out.shape.join(",")}] for ${rows.length} input rows`,
            );
          predictions = p;
          const width = out.shape.length >= 2 ? out.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
          if (classification && width > 1) kind = "score";
          else if (out.datatype !== undefined && LABEL_TYPES.test(out.datatype)) kind = "label";
        }
      }
      // the body's id is the one the server's client sees in the response; the tap's x-request-id
      // (in the response headers) joins too
      const base = id ?? x.requestId;
      const alias = id !== undefined && id !== x.requestId ? x.requestId : undefined;
      const n = rows.length;
      const events: InferenceEvent[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const e: InferenceEvent = {
          model: model.name,
          version,
          id: n === 1 ? base : `${base}:${i}`,
          features: rows[i] as Record<string, unknown>,
          time: x.time,
        };
        if (alias !== undefined) e.requestId = n === 1 ? alias : `${alias}:${i}`;
        if (predictions) {
          e.prediction = predictions[i];
          if (kind) e.predictionKind = kind;
        }
        events[i] = e;
      }
      return { kind: "events", events, predictionError };
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
    tensors.push({
      name: t.name,
      shape,
      data,
      datatype: typeof t.datatype === "string" ? t.datatype : undefined,
    });
  }
  return { ok: true, json: r.value, tensors };
}
