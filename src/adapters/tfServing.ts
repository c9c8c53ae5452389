// TF-Serving REST `:predict` and KServe v1 (`instances` / `predictions`): request rows
// (`instances`) or columns (`inputs`), response `predictions` (rows) or `outputs` (columns).
// Rows are bare values or lists (one unnamed input) or objects keyed by input name; columns are an
// object keyed by input name or a bare list. Features are found by the model's FeatureLayout, as
// for OIP v2. Bodies may hold the bare NaN/Infinity tokens.
import type { ModelConfig } from "../config/model.js";
import { FeatureLayout, type Tensor } from "./featureLayout.js";
import {
  type DecodeResult,
  type Exchange,
  type InferenceEvent,
  type PredictionError,
  type PredictionKind,
  type ProtocolAdapter,
  parseError,
} from "./inferenceEvent.js";
import { flatten, isObject, readJson } from "./jsonBody.js";
import { chooseOutput } from "./outputChoice.js";
import { predictionRows } from "./predictionRows.js";

type Inputs = Tensor[] | { reason: "wrong_shape" | "input_shape" | "row_mismatch"; detail?: string };

export function tfServing(model: ModelConfig): ProtocolAdapter {
  const layout = new FeatureLayout(model.features);
  const wanted = [...new Set(model.features.map((f) => f.input ?? f.name))];
  const classification = model.task !== "regression";
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.request) return parseError("missing_body");
      const req = readJson(x.request, true);
      if (!req.ok) return parseError(req.reason);
      const inputs = requestInputs(req.value, wanted);
      if (!Array.isArray(inputs)) return parseError(inputs.reason, inputs.detail);
      const rows = layout.rows(inputs);
      if (!Array.isArray(rows)) return parseError(rows.reason, rows.detail);
      let predictions: unknown[] | undefined;
      let kind: PredictionKind | undefined;
      let predictionError: PredictionError | undefined;
      if (x.response) {
        const res = readJson(x.response, true);
        if (!res.ok) return parseError(res.reason);
        const p = responseRows(res.value, rows.length, classification, model);
        if (p === undefined)
          return parseError("row_mismatch", `the response's predictions do not hold ${rows.length} rows`);
        if ("reason" in p) predictionError = p;
        else if (p.values) {
          predictions = p.values;
          kind = p.kind;
        }
      }
      const n = rows.length;
      const events: InferenceEvent[] = rows.map((features, i) => {
        const e: InferenceEvent = {
          model: model.name,
          version: model.version,
          id: n === 1 ? x.requestId : `${x.requestId}:${i}`,
          features,
          time: x.time,
        };
        if (predictions) {
          e.prediction = predictions[i];
          if (kind) e.predictionKind = kind;
        }
        return e;
      });
      return { kind: "events", events, predictionError };
    },
  };
}

const unwrap = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);

/** Rows of values (each a scalar or a list) as one tensor named `name`: [n] or [n,k]. */
function tensorOfRows(name: string | undefined, values: readonly unknown[]): Tensor | undefined {
  if (!values.some(Array.isArray)) return { name, shape: [values.length, 1], data: values };
  let k = -1;
  const data: unknown[] = [];
  for (const v of values) {
    const flat = Array.isArray(v) ? flatten(v) : [v];
    if (k >= 0 && flat.length !== k) return undefined;
    k = flat.length;
    for (const e of flat) data.push(e);
  }
  return { name, shape: [values.length, k], data };
}

function requestInputs(body: unknown, wanted: readonly string[]): Inputs {
  if (!isObject(body)) return { reason: "wrong_shape" };
  const list = Array.isArray(body.instances)
    ? body.instances
    : Array.isArray(body.inputs)
      ? body.inputs
      : undefined;
  if (list) {
    if (list.length > 0 && list.every(isObject)) {
      // row format with named inputs: {input: value or list} per instance
      const out: Tensor[] = [];
      for (const name of wanted) {
        if (!list.some((r) => (r as Record<string, unknown>)[name] !== undefined)) continue;
        const t = tensorOfRows(
          name,
          list.map((r) => (r as Record<string, unknown>)[name]),
        );
        if (!t)
          return {
            reason: "input_shape",
            detail: `input ${name} has lists of different lengths across rows`,
          };
        out.push(t);
      }
      return out;
    }
    if (list.some(isObject)) return { reason: "wrong_shape" };
    const t = tensorOfRows(undefined, list);
    return t ? [t] : { reason: "input_shape", detail: "the rows have different lengths" };
  }
  const inputs = body.inputs;
  if (isObject(inputs)) {
    // columnar: {input: [value or list per row]}. An input that is absent leaves its features
    // missing in every row (as with OIP tensors), not a reason to drop the inputs that are there.
    const out: Tensor[] = [];
    let n = -1;
    for (const name of wanted) {
      const c = inputs[name];
      if (c === undefined) continue;
      if (!Array.isArray(c)) return { reason: "wrong_shape" };
      if (n >= 0 && c.length !== n) return { reason: "row_mismatch" };
      n = c.length;
      const t = tensorOfRows(name, c);
      if (!t)
        return { reason: "input_shape", detail: `input ${name} has lists of different lengths across rows` };
      out.push(t);
    }
    return out;
  }
  return { reason: "wrong_shape" };
}

type Predictions = { values: unknown[] | undefined; kind: PredictionKind | undefined } | PredictionError;

function responseRows(
  body: unknown,
  rows: number,
  classification: boolean,
  model: ModelConfig,
): Predictions | undefined {
  if (!model.prediction.monitored) return { values: undefined, kind: undefined };
  if (!isObject(body)) return undefined;
  let list: unknown = body.predictions ?? body.outputs;
  if (isObject(list)) {
    // columns keyed by output name
    const named = Object.entries(list).map(([name, v]) => ({ name, v }));
    const out = chooseOutput(named, model.prediction);
    if (out === undefined || "reason" in out) return out;
    list = out.v;
  }
  if (!Array.isArray(list) || list.length !== rows) return undefined;
  // rows may be objects keyed by output name, or values / probability vectors
  let values: unknown[] = list;
  if (list.length > 0 && list.every(isObject)) {
    const named = Object.keys(list[0] as object).map((name) => ({ name }));
    const out = chooseOutput(named, model.prediction);
    if (out === undefined || "reason" in out) return out;
    values = list.map((r) => (r as Record<string, unknown>)[out.name]);
  }
  const width = Array.isArray(values[0]) ? values[0].length : 1;
  if (width === 1) return { values: values.map(unwrap), kind: undefined };
  if (!values.every((v) => Array.isArray(v) && v.length === width)) return undefined;
  const p = predictionRows(values.flat(), [rows, width], rows, classification, model.task);
  return p && { values: p, kind: classification ? "score" : undefined };
}
