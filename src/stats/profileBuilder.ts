// Builds a reference profile from rows or column batches. Pass one counts categories (for top_k)
// and finds the numeric features' exact quantile edges (small data at once; larger data through
// further passes of exact selection, ExactQuantiles), or samples them when asked (`sample`); the
// last pass counts every row into the bins. Memory is bounded by the number of distinct categories
// and the selection's tables, not the rows.
import type { FeatureConfig, ModelConfig } from "../config/model.js";
import {
  categoricalBins,
  categoryBinIndex,
  type NumericBins,
  numericBinOf,
  numericBins,
  valueBins,
} from "./binning.js";
import type { ColumnBatch } from "./columnBatch.js";
import { ExactQuantiles } from "./exactQuantiles.js";
import {
  type NumericLayout,
  PROFILE_SCHEMA,
  PROFILE_SCHEMA_VERSION,
  type Profile,
  type ProfileSlot,
} from "./profile.js";
import { quantileEdges, topK } from "./quantiles.js";
import { Reservoir } from "./reservoir.js";
import { INVALID_VALUE, MISSING_VALUE, readCategory, readNumber } from "./values.js";

export type Row = Readonly<Record<string, unknown>>;

/** Reference values kept for the `__other__` bin, so live values can be told unseen. */
export const OTHER_VALUES_CAP = 1000;
/** Distinct categorical values tracked in pass one before the rarest are folded away. */
const DISTINCT_CAP = 200_000;
/** Finite values per feature kept in pass one: data this small needs no further pass. */
const SMALL_DATA = 1 << 16;
/** Bytes the exact selection's first-pass tables may take, all features together. */
const FIRST_PASS_BUDGET = 64 << 20;

interface SlotSpec {
  name: string;
  numeric: boolean;
  bins: number;
  edges?: number[];
  /** at most this many distinct reference values: one bin per value (0: never) */
  maxDistinct: number;
  topK: number;
  fixedCategories?: string[];
}

function featureSpec(f: FeatureConfig): SlotSpec {
  return f.type === "numeric"
    ? {
        name: f.name,
        numeric: true,
        bins: f.bins,
        maxDistinct: f.maxDistinctValues,
        topK: 0,
        ...(f.edges && { edges: f.edges }),
      }
    : { name: f.name, numeric: false, bins: 0, maxDistinct: 0, topK: f.topK };
}

/** How a numeric slot's edges are found: exactly, from a uniform sample, or not at all. */
type EdgeSource =
  | { kind: "exact"; bins: number; firstBits: number }
  | { kind: "sample"; size: number }
  | { kind: "none" };

class SlotSampler {
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

interface Counter {
  count(raw: unknown): void;
  /** `count` for the engine's parsed numbers */
  countNumbers?(col: Float64Array, n: number): void;
  result(): ProfileSlot;
}

interface NumericChoice {
  layout: NumericLayout;
  reason: string;
  /** inner edges, or the distinct values for layout `values` */
  points: number[];
}

/** The numeric layout for a slot from what pass one saw (ADR 0009). */
function chooseNumeric(spec: SlotSpec, s: SlotSampler): NumericChoice {
  if (spec.edges)
    return { layout: "edges", reason: "explicit edges in the configuration", points: spec.edges };
  const d = s.distinct;
  if (d) {
    const points = [...d].sort((a, b) => a - b);
    const n = points.length;
    const reason =
      n === 0
        ? "no numeric values in the reference: its distribution is undefined, drift is not computed"
        : `${n === 1 ? "constant in the reference" : `${n} distinct values in the reference`} (max_distinct_values ${spec.maxDistinct}): one bin per value plus __other__`;
    return { layout: "values", reason, points };
  }
  const edges = s.edges(spec.bins) ?? [];
  const merged = edges.length + 1 < spec.bins ? ` (${edges.length + 1} after merging equal edges)` : "";
  const why =
    spec.maxDistinct > 0
      ? `more than ${spec.maxDistinct} distinct values (max_distinct_values)`
      : "max_distinct_values is 0";
  return {
    layout: "quantiles",
    reason: `${why}: ${spec.bins} quantile bins of the reference${merged}`,
    points: edges,
  };
}

function numericCounter(name: string, choice: NumericChoice, min: number, max: number): Counter {
  const bins: NumericBins =
    choice.layout === "values" ? valueBins(choice.points) : numericBins(choice.points);
  const slot: ProfileSlot = {
    name,
    type: "numeric",
    layout: choice.layout,
    layout_reason: choice.reason,
    [choice.layout === "values" ? "values" : "edges"]: choice.points,
    counts: new Array(bins.size).fill(0),
    missing: 0,
    invalid: 0,
  };
  if (Number.isFinite(min)) Object.assign(slot, { min, max });
  const counts = slot.counts;
  const counter: Counter = {
    result: () => slot,
    count(raw) {
      const x = readNumber(raw);
      if (x === MISSING_VALUE) slot.missing++;
      else if (x === INVALID_VALUE) slot.invalid++;
      else {
        const i = numericBinOf(bins, x);
        counts[i] = (counts[i] as number) + 1;
      }
    },
    countNumbers(col, n) {
      if (!bins.values) {
        // quantile or configured edges: the binary search inline (the hottest loop of a baseline)
        const e = bins.edges;
        const k = e.length;
        for (let r = 0; r < n; r++) {
          const x = col[r] as number;
          if (!Number.isFinite(x)) {
            counter.count(x);
            continue;
          }
          let lo = 0;
          let hi = k;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if ((e[mid] as number) <= x) lo = mid + 1;
            else hi = mid;
          }
          counts[lo] = (counts[lo] as number) + 1;
        }
        return;
      }
      for (let r = 0; r < n; r++) {
        const x = col[r] as number;
        if (!Number.isFinite(x)) counter.count(x);
        else {
          const i = numericBinOf(bins, x);
          counts[i] = (counts[i] as number) + 1;
        }
      }
    },
  };
  return counter;
}

function categoricalCounter(name: string, categories: string[]): Counter {
  const bins = categoricalBins(categories);
  const slot = {
    name,
    type: "categorical" as const,
    categories,
    counts: new Array<number>(bins.size).fill(0),
    missing: 0,
    invalid: 0,
  };
  const other = new Set<string>();
  const counts = slot.counts;
  const otherIndex = categories.length;
  return {
    result: () => (other.size > 0 ? { ...slot, other_values: [...other].sort() } : slot),
    count(raw) {
      const v = readCategory(raw);
      if (v === MISSING_VALUE) slot.missing++;
      else if (v === INVALID_VALUE) slot.invalid++;
      else {
        const i = categoryBinIndex(bins, v);
        counts[i] = (counts[i] as number) + 1;
        if (i === otherIndex && other.size < OTHER_VALUES_CAP) other.add(v);
      }
    },
  };
}

export interface ProfileBuilderOptions {
  /** edges from a uniform sample of this many values per feature instead of exact quantiles */
  sample?: number;
}

/** A field the builder reads: numeric features are parsed by the reader, the rest come raw. */
export interface BuilderField {
  name: string;
  numeric: boolean;
}

export class ProfileBuilder {
  private readonly specs: SlotSpec[];
  private readonly samplers: SlotSampler[];
  private counters: Counter[] | undefined;
  private rows = 0;

  constructor(
    private readonly model: ModelConfig,
    options: ProfileBuilderOptions = {},
  ) {
    const p = model.prediction;
    const prediction: SlotSpec = {
      name: p.output,
      numeric: true,
      bins: p.bins,
      maxDistinct: p.edges ? 0 : p.maxDistinctValues,
      topK: 20,
      ...(p.edges && { edges: p.edges }),
      ...(p.classes && { fixedCategories: p.classes }),
    };
    this.specs = [...model.features.map(featureSpec), prediction];
    this.edgesFrom =
      options.sample === undefined ? { method: "exact" } : { method: "sample", size: options.sample };
    // the selection's first-pass tables share a budget: finer (fewer passes) with fewer features
    const exactSlots = this.specs.filter((s) => s.numeric && !s.edges).length + 1;
    const firstBits = Math.max(16, Math.min(20, Math.floor(Math.log2(FIRST_PASS_BUDGET / 4 / exactSlots))));
    const source = (s: SlotSpec): EdgeSource =>
      s.edges
        ? { kind: "none" }
        : options.sample !== undefined
          ? { kind: "sample", size: options.sample }
          : { kind: "exact", bins: s.bins, firstBits };
    // the prediction's type is decided from the data (numbers → numeric bins, labels → categories),
    // so its sampler does both
    const last = this.specs.length - 1;
    this.samplers = this.specs.map((s, i) =>
      i === last
        ? new SlotSampler(source(s), true, s.edges ? 0 : s.maxDistinct)
        : new SlotSampler(s.numeric ? source(s) : { kind: "none" }, !s.numeric, s.edges ? 0 : s.maxDistinct),
    );
  }

  private readonly edgesFrom: Profile["edges_from"];
  private firstPassDone = false;

  /** The fields a reader hands over, in the order of a ColumnBatch's columns. */
  fields(): BuilderField[] {
    const last = this.specs.length - 1;
    return this.specs.map((s, i) => ({ name: s.name, numeric: s.numeric && i !== last }));
  }

  /** Pass one over column batches. */
  observeColumns(b: ColumnBatch): void {
    for (let i = 0; i < this.samplers.length; i++) {
      const col = b.columns[i];
      const s = this.samplers[i] as SlotSampler;
      if (col === undefined) for (let r = 0; r < b.rows; r++) s.observe(undefined);
      else if (col instanceof Float64Array) s.observeNumbers(col, b.rows);
      else for (let r = 0; r < b.rows; r++) s.observe(col[r]);
    }
  }

  /** End pass one; then `refining` says whether exact edges need more passes before `fixBins`. */
  endFirstPass(): void {
    if (this.firstPassDone) return;
    this.firstPassDone = true;
    for (const s of this.samplers) s.endFirstPass();
  }

  /** Indexes of the fields an exact-edges pass still reads (empty: no pass needed). */
  refining(): number[] {
    this.endFirstPass();
    return this.samplers.flatMap((s, i) => (s.refining ? [i] : []));
  }

  /** One batch of an exact-edges pass; `columns` holds the fields `refining()` named, in order. */
  refineColumns(b: ColumnBatch, fields: readonly number[]): void {
    fields.forEach((f, j) => {
      const col = b.columns[j];
      if (col === undefined) return;
      const s = this.samplers[f] as SlotSampler;
      if (col instanceof Float64Array) {
        const exact = s.exact as ExactQuantiles;
        for (let r = 0; r < b.rows; r++) {
          const x = col[r] as number;
          if (Number.isFinite(x)) exact.add(x);
        }
      } else for (let r = 0; r < b.rows; r++) s.refine(col[r]);
    });
  }

  endRefinePass(fields: readonly number[]): void {
    for (const f of fields) (this.samplers[f] as SlotSampler).exact?.endPass();
  }

  /** The last pass over column batches: count. */
  countColumns(b: ColumnBatch): void {
    const c = this.counters;
    if (!c) throw new Error("fixBins() must be called before countColumns()");
    this.rows += b.rows;
    for (let i = 0; i < c.length; i++) {
      const col = b.columns[i];
      const counter = c[i] as Counter;
      if (col === undefined) for (let r = 0; r < b.rows; r++) counter.count(undefined);
      else if (col instanceof Float64Array && counter.countNumbers) counter.countNumbers(col, b.rows);
      else for (let r = 0; r < b.rows; r++) counter.count(col[r]);
    }
  }

  /** Pass one: sample a row. */
  observe(row: Row): void {
    const s = this.samplers;
    const sp = this.specs;
    for (let i = 0; i < s.length; i++) (s[i] as SlotSampler).observe(row[(sp[i] as SlotSpec).name]);
  }

  /** Fix the bins from what pass one saw; pass two then counts. */
  fixBins(): void {
    if (this.refining().length > 0) throw new Error("exact edges need more passes over the data");
    this.counters = this.samplers.map((s, i) => {
      const spec = this.specs[i] as SlotSpec;
      const isPrediction = i === this.samplers.length - 1;
      // a prediction is numeric when every value is a number, unless all of them are class names
      const numeric = isPrediction
        ? s.numbers > 0 &&
          s.texts === 0 &&
          !(spec.fixedCategories && allIn(s.categories, spec.fixedCategories))
        : spec.numeric;
      if (numeric) return numericCounter(spec.name, chooseNumeric(spec, s), s.min, s.max);
      const cats = spec.fixedCategories ?? topK(s.categories, spec.topK);
      return categoricalCounter(spec.name, cats);
    });
  }

  /** After pass one: configured features that no row had at all (an absent column or key). */
  absentFeatures(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.model.features.length; i++)
      if ((this.samplers[i] as SlotSampler).present === 0) out.push((this.specs[i] as SlotSpec).name);
    return out;
  }

  /** Pass two: count a row. */
  count(row: Row): void {
    const c = this.counters;
    if (!c) throw new Error("fixBins() must be called before count()");
    this.rows++;
    for (let i = 0; i < c.length; i++) (c[i] as Counter).count(row[(this.specs[i] as SlotSpec).name]);
  }

  /** The profile; the prediction is included when any row had a prediction value. */
  build(): Profile {
    const c = this.counters;
    if (!c) throw new Error("fixBins() must be called before build()");
    const slots = c.map((x) => x.result());
    const prediction = slots.pop() as ProfileSlot;
    const p: Profile = {
      schema: PROFILE_SCHEMA,
      schema_version: PROFILE_SCHEMA_VERSION,
      model: this.model.name,
      model_version: this.model.version,
      rows: this.rows,
      edges_from: this.edgesFrom,
      features: slots,
    };
    const seen = prediction.counts.reduce((a, b) => a + b, 0) + prediction.invalid;
    if (seen > 0 && this.model.prediction.monitored) p.prediction = prediction;
    return p;
  }
}

function allIn(values: ReadonlyMap<string, number>, allowed: readonly string[]): boolean {
  const set = new Set(allowed);
  for (const v of values.keys()) if (!set.has(v)) return false;
  return true;
}
