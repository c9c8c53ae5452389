// Pass one of a profile build, per slot (a feature or the prediction): counts categories, sees
// each numeric value once for its range and distinct values, and keeps what the edges are found
// from (a sample, the exact selection of ExactQuantiles, or all values when the data is small).
import { ExactQuantiles } from "./exactQuantiles.js";
import { quantileEdges, topK } from "./quantiles.js";
import { Reservoir } from "./reservoir.js";
import { readCategory, readNumber } from "./values.js";

/** Distinct categorical values tracked in pass one before the rarest are folded away. */
const DISTINCT_CAP = 200_000;
/** Finite values per feature kept in pass one: data this small needs no further pass. */
const SMALL_DATA = 1 << 16;

export interface SlotSpec {
  name: string;
  numeric: boolean;
  bins: number;
  edges?: number[];
  /** at most this many distinct reference values: one bin per value (0: never) */
  maxDistinct: number;
  topK: number;
  fixedCategories?: string[];
}

export /** How a numeric slot's edges are found: exactly, from a uniform sample, or not at all. */
type EdgeSource =
  | { kind: "exact"; bins: number; firstBits: number }
  | { kind: "sample"; size: number }
  | { kind: "none" };

export class SlotSampler {
  readonly reservoir: Reservoir | undefined;
  readonly exact: ExactQuantiles | undefined;
  /** the first finite values: all of them when the data is small */
  private small: Float64Array | undefined;
  private finite = 0;
  readonly categories = new Map<string, number>();
  /** rows that have the field at all (a column that is absent everywhere is a config/data mismatch) */
  present = 0;
  numbers = 0;
  texts = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** distinct numbers while there are at most `maxDistinct`; undefined once there are more */
  distinct: Set<number> | undefined;

  constructor(
    edges: EdgeSource,
    private readonly countCategories: boolean,
    private readonly maxDistinct: number,
  ) {
    if (edges.kind === "sample") this.reservoir = new Reservoir(edges.size);
    if (edges.kind === "exact") {
      this.exact = new ExactQuantiles(edges.bins, { firstBits: edges.firstBits });
      this.small = new Float64Array(SMALL_DATA);
    }
    this.distinct = maxDistinct > 0 ? new Set() : undefined;
  }

  observe(raw: unknown): void {
    if (raw !== undefined) this.present++;
    const x = readNumber(raw);
    if (typeof x === "number") {
      this.numbers++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.reservoir?.add(x);
      if (this.exact) {
        this.exact.add(x);
        if (this.small && this.finite < SMALL_DATA) this.small[this.finite] = x;
        this.finite++;
      }
      const d = this.distinct;
      if (d) {
        d.add(x);
        if (d.size > this.maxDistinct) this.distinct = undefined;
      }
    }
    if (!this.countCategories) return;
    const v = readCategory(raw);
    if (typeof v !== "string") return;
    if (typeof x !== "number") this.texts++;
    this.categories.set(v, (this.categories.get(v) ?? 0) + 1);
    if (this.categories.size > DISTINCT_CAP) this.fold();
  }

  /** `observe` for the engine's parsed numbers: the same steps, without reading each value again. */
  observeNumbers(col: Float64Array, n: number): void {
    if (this.countCategories) {
      for (let r = 0; r < n; r++) this.observe(col[r]);
      return;
    }
    const exact = this.exact;
    const small = this.small;
    for (let r = 0; r < n; r++) {
      const x = col[r] as number;
      if (!Number.isFinite(x)) {
        this.observe(x);
        continue;
      }
      this.present++;
      this.numbers++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.reservoir?.add(x);
      if (exact) {
        exact.add(x);
        if (small && this.finite < SMALL_DATA) small[this.finite] = x;
        this.finite++;
      }
      const d = this.distinct;
      if (d) {
        d.add(x);
        if (d.size > this.maxDistinct) this.distinct = undefined;
      }
    }
  }

  /** Pass one is over: whether the exact edges need further passes over the data. */
  endFirstPass(): void {
    if (!this.exact) return;
    if (this.finite > SMALL_DATA) this.small = undefined;
    this.exact.endPass();
  }

  /** Whether the exact selection still needs a pass (never for small data, which is all kept). */
  get refining(): boolean {
    // a few-valued feature is binned per value (ADR 0009): no quantiles to select
    return (
      this.exact !== undefined &&
      this.small === undefined &&
      this.distinct === undefined &&
      this.exact.needsPass
    );
  }

  refine(raw: unknown): void {
    const x = readNumber(raw);
    if (typeof x === "number" && Number.isFinite(x)) (this.exact as ExactQuantiles).add(x);
  }

  /** Edges for `bins` bins from what was seen (undefined without an edge source). */
  edges(bins: number): number[] | undefined {
    if (this.reservoir) return quantileEdges(this.reservoir.sample(), bins);
    if (!this.exact) return undefined;
    if (this.small) return quantileEdges(this.small.subarray(0, this.finite), bins);
    return this.exact.edges();
  }

  // keep memory bounded on very high-cardinality columns: drop the rarest half
  private fold(): void {
    const keep = new Set(topK(this.categories, DISTINCT_CAP / 2));
    for (const k of this.categories.keys()) if (!keep.has(k)) this.categories.delete(k);
  }
}
