// Generic JSON (`protocol: json`): the configured dotted field paths locate the request id, the
// features (an object, or an array of objects for several rows) and the prediction (a value, or an
// array with one per row). Paths are split once at construction.
import type { ModelConfig } from "../config/model.js";
import {
  type DecodeResult,
  type Exchange,
  type InferenceEvent,
  type ProtocolAdapter,
  parseError,
} from "./inferenceEvent.js";
import { isObject, readJson } from "./jsonBody.js";

type Getter = (x: unknown) => unknown;

export function compilePath(path: string): Getter {
  const keys = (path === "" || path === "." ? [] : path.split(".")).map((k) => ({
    key: k,
    index: /^\d+$/.test(k) ? Number(k) : -1,
  }));
  return (x) => {
    let v = x;
    for (const { key, index } of keys) {
      if (Array.isArray(v) && index >= 0) v = v[index];
      else if (isObject(v)) v = v[key];
      else return undefined;
    }
    return v;
  };
}

export function jsonPaths(model: ModelConfig): ProtocolAdapter {
  const paths = model.json ?? { features: "features", prediction: "prediction" };
  const getId = paths.id ? compilePath(paths.id) : undefined;
  const getFeatures = compilePath(paths.features);
  const getPrediction = paths.prediction ? compilePath(paths.prediction) : undefined;
  // a feature reads its own key, or `input:`'s; with `column:`, that element of the key's list
  const fields = model.features.map((f) => ({ name: f.name, key: f.input ?? f.name, column: f.column }));
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.request) return parseError("missing_body");
      const req = readJson(x.request, true);
      if (!req.ok) return parseError(req.reason);
      const f = getFeatures(req.value);
      const list = Array.isArray(f) ? f : [f];
      if (list.length === 0 || !list.every(isObject)) return parseError("wrong_shape");
      let predictions: unknown[] | undefined;
      let id: unknown = getId?.(req.value);
      if (x.response && getPrediction) {
        const res = readJson(x.response, true);
        if (!res.ok) return parseError(res.reason);
        const p = getPrediction(res.value);
        predictions = list.length === 1 && !Array.isArray(p) ? [p] : Array.isArray(p) ? p : undefined;
        if (!predictions || predictions.length !== list.length) return parseError("row_mismatch");
        id ??= getId?.(res.value);
      }
      const base = typeof id === "string" || typeof id === "number" ? String(id) : x.requestId;
      const events: InferenceEvent[] = list.map((row, i) => {
        const features: Record<string, unknown> = {};
        for (const f of fields) {
          const v = (row as Record<string, unknown>)[f.key];
          features[f.name] = f.column === undefined ? v : Array.isArray(v) ? v[f.column] : undefined;
        }
        const e: InferenceEvent = {
          model: model.name,
          version: model.version,
          id: list.length === 1 ? base : `${base}:${i}`,
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
