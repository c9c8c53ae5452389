// Where each configured feature is in a request's inputs (tensors): the input named like the
// feature (one tensor per feature), or a column of a multi-column input (`input:` and `column:`).
// Shared by the Open Inference Protocol v2 and TF-Serving / KServe v1 adapters. Decided once per
// model; per request it is a scan over the few inputs, no Map.
import type { FeatureConfig } from "../config/model.js";
import type { ParseErrorReason } from "./inferenceEvent.js";

/** One input of a request: a name (absent for v1 `instances` of bare rows), a shape and row-major data. */
export interface Tensor {
  name: string | undefined;
  shape: readonly number[];
  data: readonly unknown[];
}

export type Rows = Record<string, unknown>[];
export type LayoutError = { reason: ParseErrorReason; detail: string };

interface Slot {
  feature: string;
  /** the input's name: `input:`, else the feature's name */
  input: string;
  /** undefined: the whole input is the feature ([n] or [n,1]) */
  column: number | undefined;
}

const shapeText = (s: readonly number[]): string => `[${s.join(",")}]`;

export class FeatureLayout {
  private readonly slots: Slot[];
  /** some feature names a column: the request's inputs are read by column, not by position */
  private readonly columns: boolean;

  constructor(features: readonly FeatureConfig[]) {
    this.slots = features.map((f) => ({ feature: f.name, input: f.input ?? f.name, column: f.column }));
    this.columns = this.slots.some((s) => s.column !== undefined);
  }

  /** The feature names, in the configured order. */
  get names(): string[] {
    return this.slots.map((s) => s.feature);
  }

  /**
   * The rows of feature values in `inputs`, or why the inputs do not fit the layout. A feature whose
   * input is absent is missing in every row; when no feature's input is there at all, a single
   * input with exactly one column per configured feature is read by position (the [n,k] layout of
   * MLServer, KServe and Triton with every column monitored, in order).
   */
  rows(inputs: readonly Tensor[]): Rows | LayoutError {
    const slots = this.slots;
    // a model without features (monitored for its predictions and requests only): one empty row
    // per row of the first input, so its predictions are still read
    if (slots.length === 0) {
      const t = inputs[0];
      if (!t) return { reason: "input_not_found", detail: "the request has no input" };
      return Array.from({ length: t.shape[0] ?? t.data.length }, () => ({}));
    }
    const found: (Tensor | undefined)[] = new Array(slots.length);
    let any = false;
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j] as Slot;
      let t: Tensor | undefined;
      for (const x of inputs) if (x.name === s.input) t = x; // the last of duplicate names wins, as with a Map
      // an unnamed input (v1 rows of bare values) is the one every column refers to
      if (t === undefined && s.column !== undefined && inputs.length === 1 && inputs[0]?.name === undefined)
        t = inputs[0];
      found[j] = t;
      if (t) any = true;
    }
    if (!any) return this.byPosition(inputs);
    let n = -1;
    const readers: ((i: number) => unknown)[] = new Array(slots.length);
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j] as Slot;
      const t = found[j];
      if (!t) {
        readers[j] = () => undefined;
        continue;
      }
      const r = s.column === undefined ? wholeInput(t, s) : columnOf(t, s, this.mapped(t));
      if ("reason" in r) return r;
      if (n >= 0 && r.rows !== n)
        return {
          reason: "row_mismatch",
          detail: `input ${label(t)} has ${r.rows} rows, other inputs of the configured features ${n}`,
        };
      n = r.rows;
      readers[j] = r.read;
    }
    const rows: Rows = new Array(n);
    for (let i = 0; i < n; i++) {
      const row: Record<string, unknown> = {};
      for (let j = 0; j < slots.length; j++)
        row[(slots[j] as Slot).feature] = (readers[j] as (i: number) => unknown)(i);
      rows[i] = row;
    }
    return rows;
  }

  /** The columns the config maps from input `t`, for messages. */
  private mapped(t: Tensor): string {
    const cols = this.slots
      .filter((s) => s.column !== undefined && (s.input === t.name || t.name === undefined))
      .map((s) => `${s.feature}=${s.column}`);
    return cols.join(", ");
  }

  private byPosition(inputs: readonly Tensor[]): Rows | LayoutError {
    const k = this.slots.length;
    const only = inputs.length === 1 ? inputs[0] : undefined;
    const names = inputs.map((t) => `${label(t)} ${shapeText(t.shape)}`).join(", ");
    const expected = this.columns
      ? `the inputs named by input: (${[...new Set(this.slots.map((s) => s.input))].join(", ")})`
      : `an input per feature named like it (${this.names.slice(0, 8).join(", ")}${k > 8 ? ", …" : ""}), or one [n,${k}] input with a column per configured feature in order; map the columns of a wider input with input:/column:`;
    if (!only || this.columns)
      return {
        reason: "input_not_found",
        detail: `the request's inputs (${names || "none"}) hold none of ${expected}`,
      };
    const width = only.shape.length >= 2 ? only.shape[only.shape.length - 1] : undefined;
    const rank2 = only.shape.length === 2;
    if (!rank2 || width !== k)
      return {
        reason: "input_shape",
        detail: `the only input ${label(only)} has shape ${shapeText(only.shape)}; expected ${expected}`,
      };
    const n = only.shape[0] as number;
    if (only.data.length !== n * k)
      return {
        reason: "input_shape",
        detail: `input ${label(only)} has shape ${shapeText(only.shape)} but ${only.data.length} values`,
      };
    const rows: Rows = new Array(n);
    for (let i = 0; i < n; i++) {
      const r: Record<string, unknown> = {};
      for (let j = 0; j < k; j++) r[(this.slots[j] as Slot).feature] = only.data[i * k + j];
      rows[i] = r;
    }
    return rows;
  }
}

type Reader = { rows: number; read: (i: number) => unknown };

const label = (t: Tensor): string => (t.name === undefined ? "(unnamed)" : t.name);

/** A whole input as one feature: [n], [n,1] (or an [n] list of one-element lists). */
function wholeInput(t: Tensor, s: Slot): Reader | LayoutError {
  const n = t.shape[0] ?? t.data.length;
  if (t.data.length !== n || t.shape.slice(1).some((d) => d !== 1))
    return {
      reason: "input_shape",
      detail: `input ${label(t)} of feature ${s.feature} has shape ${shapeText(t.shape)} (${t.data.length} values); a feature read from a whole input needs [n] or [n,1]; name a column of a wider input with column:`,
    };
  return { rows: n, read: (i) => t.data[i] };
}

/** Column `s.column` of input `t`: one row of [k] or [1,k], or n rows of [n,k]. */
function columnOf(t: Tensor, s: Slot, mapped: string): Reader | LayoutError {
  const shape = t.shape;
  const bad = (why: string): LayoutError => ({
    reason: "input_shape",
    detail: `input ${label(t)} has shape ${shapeText(shape)} (${t.data.length} values); the config maps columns ${mapped} of it: ${why}`,
  });
  if (shape.length === 0 || shape.length > 2) return bad("expected [k], [1,k] or [n,k]");
  const k = shape[shape.length - 1] as number;
  const n = shape.length === 2 ? (shape[0] as number) : 1;
  if (t.data.length !== n * k) return bad(`expected ${n * k} values`);
  const c = s.column as number;
  if (c >= k) return bad(`column ${c} (${s.feature}) is beyond its last dimension (${k} columns)`);
  return { rows: n, read: (i) => t.data[i * k + c] };
}
