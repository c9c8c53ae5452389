// Builds a reference profile from rows in two passes: the first samples numeric values (for
// quantile edges) and counts categories (for top_k); the second counts every row into the bins.
// Memory is bounded by the reservoir size and the number of distinct categories, not the rows.
import type { FeatureConfig, ModelConfig } from "../config/model.js";
import {
  categoricalBins,
  categoryBinIndex,
  type NumericBins,
  numericBinOf,
  numericBins,
  valueBins,
} from "./binning.js";
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
const OTHER_VALUES_CAP = 1000;
/** Distinct categorical values tracked in pass one before the rarest are folded away. */
const DISTINCT_CAP = 200_000;
const DEFAULT_RESERVOIR = 200_000;

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

class SlotSampler {
  readonly reservoir: Reservoir;
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
    reservoirSize: number,
    private readonly countCategories: boolean,
    private readonly maxDistinct: number,
  ) {
    this.reservoir = new Reservoir(reservoirSize);
    this.distinct = maxDistinct > 0 ? new Set() : undefined;
  }

  observe(raw: unknown): void {
    if (raw !== undefined) this.present++;
    const x = readNumber(raw);
    if (typeof x === "number") {
      this.numbers++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      if (this.reservoir.capacity > 0) this.reservoir.add(x);
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

  // keep memory bounded on very high-cardinality columns: drop the rarest half
  private fold(): void {
    const keep = new Set(topK(this.categories, DISTINCT_CAP / 2));
    for (const k of this.categories.keys()) if (!keep.has(k)) this.categories.delete(k);
  }
}

interface Counter {
  count(raw: unknown): void;
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
  const edges = quantileEdges(s.reservoir.sample(), spec.bins);
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
  return {
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
  };
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
  reservoirSize?: number;
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
    const size = options.reservoirSize ?? DEFAULT_RESERVOIR;
    // the prediction's type is decided from the data (numbers → numeric bins, labels → categories),
    // so its sampler does both
    const last = this.specs.length - 1;
    this.samplers = this.specs.map((s, i) =>
      i === last
        ? new SlotSampler(s.edges ? 0 : size, true, s.edges ? 0 : s.maxDistinct)
        : new SlotSampler(s.numeric && !s.edges ? size : 0, !s.numeric, s.edges ? 0 : s.maxDistinct),
    );
  }

  /** Pass one: sample a row. */
  observe(row: Row): void {
    const s = this.samplers;
    const sp = this.specs;
    for (let i = 0; i < s.length; i++) (s[i] as SlotSampler).observe(row[(sp[i] as SlotSpec).name]);
  }

  /** Fix the bins from what pass one saw; pass two then counts. */
  fixBins(): void {
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
      features: slots,
    };
    const seen = prediction.counts.reduce((a, b) => a + b, 0) + prediction.invalid;
    if (seen > 0) p.prediction = prediction;
    return p;
  }
}

function allIn(values: ReadonlyMap<string, number>, allowed: readonly string[]): boolean {
  const set = new Set(allowed);
  for (const v of values.keys()) if (!set.has(v)) return false;
  return true;
}
