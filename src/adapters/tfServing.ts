// TF-Serving REST `:predict`: request rows (`instances`) or columns (`inputs`), response
// `predictions` (rows) or `outputs` (columns). Bodies may hold the bare NaN/Infinity tokens.
import type { ModelConfig } from "../config/model.js";
import {
  type DecodeResult,
  type Exchange,
  type InferenceEvent,
  type ParseErrorReason,
  type ProtocolAdapter,
  parseError,
} from "./inferenceEvent.js";
import { isObject, readJson } from "./jsonBody.js";
import { predictionRows } from "./predictionRows.js";

type Row = Record<string, unknown>;

export function tfServing(model: ModelConfig): ProtocolAdapter {
  const names = model.features.map((f) => f.name);
  const output = model.prediction.output;
  const classification = model.task !== "regression";
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.request) return parseError("missing_body");
      const req = readJson(x.request, true);
      if (!req.ok) return parseError(req.reason);
      const rows = requestRows(req.value, names);
      if (typeof rows === "string") return parseError(rows);
      let predictions: unknown[] | undefined;
      if (x.response) {
        const res = readJson(x.response, true);
        if (!res.ok) return parseError(res.reason);
        const p = responseRows(res.value, output, rows.length, classification, model);
        if (p === undefined) return parseError("row_mismatch");
        predictions = p;
      }
      const events: InferenceEvent[] = rows.map((features, i) => {
        const e: InferenceEvent = {
          model: model.name,
          version: model.version,
          id: rows.length === 1 ? x.requestId : `${x.requestId}:${i}`,
          features,
          time: x.time,
        };
        if (predictions) e.prediction = predictions[i];
        return e;
      });
      return { kind: "events", events };
    },
  };
}

const unwrap = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);

function rowFrom(r: unknown, names: readonly string[]): Row | undefined {
  if (isObject(r)) {
    const out: Row = {};
    for (const n of names) out[n] = unwrap(r[n]);
    return out;
  }
  if (Array.isArray(r)) {
    if (r.length !== names.length) return undefined;
    const out: Row = {};
    names.forEach((n, j) => {
      out[n] = unwrap(r[j]);
    });
    return out;
  }
  if (names.length === 1) return { [names[0] as string]: r };
  return undefined;
}

function rowsFrom(list: unknown[], names: readonly string[]): Row[] | undefined {
  const rows: Row[] = [];
  for (const r of list) {
    const row = rowFrom(r, names);
    if (!row) return undefined;
    rows.push(row);
  }
  return rows;
}

function requestRows(body: unknown, names: readonly string[]): Row[] | ParseErrorReason {
  if (!isObject(body)) return "wrong_shape";
  if (Array.isArray(body.instances)) return rowsFrom(body.instances, names) ?? "wrong_shape";
  const inputs = body.inputs;
  if (Array.isArray(inputs)) return rowsFrom(inputs, names) ?? "wrong_shape";
  if (isObject(inputs)) {
    // columnar: {feature: [v per row]}. A feature whose column is absent is missing in every row
    // (as with the json protocol and OIP tensors), not a reason to drop the columns that are there.
    const cols = names.map((n) => inputs[n]);
    const present = cols.filter((c) => c !== undefined);
    if (present.length === 0 || !present.every(Array.isArray)) return "wrong_shape";
    const n = (present[0] as unknown[]).length;
    if (!present.every((c) => (c as unknown[]).length === n)) return "row_mismatch";
    return Array.from({ length: n }, (_, i) => {
      const r: Row = {};
      names.forEach((name, j) => {
        const c = cols[j] as unknown[] | undefined;
        r[name] = c === undefined ? undefined : unwrap(c[i]);
      });
      return r;
    });
  }
  return "wrong_shape";
}

function responseRows(
  body: unknown,
  output: string,
  rows: number,
  classification: boolean,
  model: ModelConfig,
): unknown[] | undefined {
  if (!isObject(body)) return undefined;
  let list: unknown = body.predictions ?? body.outputs;
  if (isObject(list)) list = list[output] ?? Object.values(list)[0];
  if (!Array.isArray(list) || list.length !== rows) return undefined;
  // rows may be objects keyed by output name, or values / probability vectors
  const values = list.map((r) => (isObject(r) ? (r[output] ?? Object.values(r)[0]) : r));
  const width = Array.isArray(values[0]) ? values[0].length : 1;
  if (width === 1) return values.map(unwrap);
  if (!values.every((v) => Array.isArray(v) && v.length === width)) return undefined;
  return predictionRows(values.flat(), [rows, width], rows, classification, model.task);
}
