// Builds a reference profile from rows or column batches. Pass one counts categories (for top_k)
// and finds the numeric features' exact quantile edges (small data at once; larger data through
// further passes of exact selection, ExactQuantiles), or samples them when asked (`sample`); the
// last pass counts every row into the bins. Memory is bounded by the number of distinct categories
// and the selection's tables, not the rows.
import type { FeatureConfig, ModelConfig } from "../config/model.js";
import type { ColumnBatch } from "./columnBatch.js";
import type { ExactQuantiles } from "./exactQuantiles.js";
import { PROFILE_SCHEMA, PROFILE_SCHEMA_VERSION, type Profile, type ProfileSlot } from "./profile.js";
import { topK } from "./quantiles.js";
import { type Counter, categoricalCounter, chooseNumeric, numericCounter } from "./slotCounters.js";
import { type EdgeSource, SlotSampler, type SlotSpec } from "./slotSampler.js";

export type Row = Readonly<Record<string, unknown>>;

/** Bytes the exact selection's first-pass tables may take, all features together. */
const FIRST_PASS_BUDGET = 64 << 20;

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
