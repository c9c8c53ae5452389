// Bin assignment (README, Drift statistics): numeric inner edges e1<…<e(k-1) give (-inf,e1), [e1,e2), …, [e(k-1),+inf);
// categorical bins are the reference's top values followed by `__other__`. A numeric feature with few
// distinct reference values is binned per value instead: one bin per reference value, then `__other__`
// for every other number (docs/adr/0009-profile-layouts-missing-data.md).

export const OTHER = "__other__";

export interface NumericBins {
  readonly type: "numeric";
  /** inner edges (range layout); empty in the per-value layout */
  readonly edges: Float64Array;
  /** the per-value layout: the reference's distinct values, increasing; bin i holds exactly values[i] */
  readonly values: Float64Array | undefined;
  readonly size: number;
}

export interface CategoricalBins {
  readonly type: "categorical";
  readonly categories: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly size: number;
}

export type Bins = NumericBins | CategoricalBins;

export function numericBins(edges: readonly number[]): NumericBins {
  for (let i = 1; i < edges.length; i++) {
    if (!((edges[i] as number) > (edges[i - 1] as number))) throw new RangeError("edges must be increasing");
  }
  // `values: undefined` keeps one object shape for both layouts (binOf reads it on the hot path)
  return { type: "numeric", edges: Float64Array.from(edges), values: undefined, size: edges.length + 1 };
}

/** Per-value bins: one for each of `values` (increasing), then `__other__`. */
export function valueBins(values: readonly number[]): NumericBins {
  for (let i = 1; i < values.length; i++) {
    if (!((values[i] as number) > (values[i - 1] as number)))
      throw new RangeError("values must be increasing");
  }
  return {
    type: "numeric",
    edges: new Float64Array(0),
    values: Float64Array.from(values),
    size: values.length + 1,
  };
}

export function categoricalBins(categories: readonly string[]): CategoricalBins {
  const index = new Map<string, number>();
  categories.forEach((c, i) => {
    if (c === OTHER) throw new RangeError(`"${OTHER}" is reserved`);
    if (index.has(c)) throw new RangeError(`duplicate category "${c}"`);
    index.set(c, i);
  });
  return { type: "categorical", categories: [...categories], index, size: categories.length + 1 };
}

/** Index of the bin holding `x`: the number of edges ≤ x (binary search; NaN never reaches here). */
export function numericBinIndex(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the bin of `x` in a per-value layout: the value's own bin, or `__other__` (the last). */
export function valueBinIndex(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid] as number;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid;
  }
  return values.length;
}

/** Index of the bin holding finite `x` in either numeric layout. */
export function numericBinOf(bins: NumericBins, x: number): number {
  return bins.values ? valueBinIndex(bins.values, x) : numericBinIndex(bins.edges, x);
}

/** Index of the bin holding category `v`; unseen values go to `__other__` (the last bin). */
export function categoryBinIndex(bins: CategoricalBins, v: string): number {
  return bins.index.get(v) ?? bins.categories.length;
}

/** Human-readable bin names, used as the `bin` label and in reports: `[-inf,1200)`, `[1200,+inf)`, `__other__`. */
export function binLabels(bins: Bins): string[] {
  if (bins.type === "categorical") return [...bins.categories, OTHER];
  if (bins.values) return [...Array.from(bins.values, formatEdge), OTHER];
  const e = Array.from(bins.edges, formatEdge);
  const out: string[] = [];
  for (let i = 0; i <= e.length; i++)
    out.push(`[${i === 0 ? "-inf" : e[i - 1]},${i === e.length ? "+inf" : e[i]})`);
  return out;
}

// exact (not rounded) so two edges never share a label
function formatEdge(x: number): string {
  return String(x);
}
