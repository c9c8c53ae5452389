// Turns a DuckDB data chunk back into one value array per field, merging each field's parts
// (columnPlan.ts) row by row; a column of plain numbers is handed over as its Float64Array.
import type { DuckDBDataChunk, DuckDBVector } from "@duckdb/node-api";
import type { ColumnPlan } from "./columnPlan.js";

/** Stands for a nested value: values.ts counts any object as invalid. */
const NESTED = Object.freeze({});

// The vectors' typed storage (exact-pinned @duckdb/node-api; checked, with a slow path if absent).
interface Internals {
  items?: unknown;
  validity?: { data?: BigUint64Array | null };
}

function validityWords(v: DuckDBVector): Uint32Array | null {
  const data = (v as unknown as Internals).validity?.data;
  return data ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2) : null;
}

const valid = (w: Uint32Array, i: number): boolean => (((w[i >>> 5] as number) >>> (i & 31)) & 1) === 1;

function allNull(w: Uint32Array | null, n: number): boolean {
  if (!w) return false;
  for (let i = 0; i < n; i++) if (valid(w, i)) return false;
  return true;
}

function numbers(v: DuckDBVector, n: number): ArrayLike<unknown> {
  const items = (v as unknown as Internals).items;
  if (!(items instanceof Float64Array)) return Array.from({ length: n }, (_, i) => v.getItem(i));
  const w = validityWords(v);
  if (!w) return items.subarray(0, n);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = valid(w, i) ? items[i] : null;
  return out;
}

export function decode(
  chunk: DuckDBDataChunk,
  plan: readonly ColumnPlan[],
): (ArrayLike<unknown> | undefined)[] {
  const n = chunk.rowCount;
  const out: (ArrayLike<unknown> | undefined)[] = [];
  let c = 0;
  for (const p of plan) {
    const parts = p.parts;
    if (parts.length === 0) {
      out.push(undefined);
      continue;
    }
    let nums: ArrayLike<unknown> | undefined;
    let text: DuckDBVector | undefined;
    let nested: DuckDBVector | undefined;
    let list: DuckDBVector | undefined;
    for (const part of parts) {
      const v = chunk.getColumnVector(c++);
      if (part === "d") nums = numbers(v, n);
      else if (part === "s" && !allNull(validityWords(v), n)) text = v;
      else if (part === "z" && !allNull(validityWords(v), n)) nested = v;
      else if (part === "l" && !allNull(validityWords(v), n)) list = v;
    }
    if (!text && !nested && !list && nums) {
      out.push(nums);
      continue;
    }
    const merged = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      // a list of numbers (DuckDBListValue) as a plain array of its items
      const items = (list?.getItem(i) as { items?: unknown[] } | null | undefined)?.items;
      merged[i] = items ?? (nested?.getItem(i) ? NESTED : (text?.getItem(i) ?? (nums ? nums[i] : null)));
    }
    out.push(merged);
  }
  return out;
}
