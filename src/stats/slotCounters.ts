// The last pass of a profile build, per slot: the layout of a numeric slot's bins chosen from what
// pass one saw (ADR 0009), and the counters that put every row's value into its bin.
import {
  categoricalBins,
  categoryBinIndex,
  type NumericBins,
  numericBinOf,
  numericBins,
  valueBins,
} from "./binning.js";
import type { NumericLayout, ProfileSlot } from "./profile.js";
import type { SlotSampler, SlotSpec } from "./slotSampler.js";
import { INVALID_VALUE, MISSING_VALUE, readCategory, readNumber } from "./values.js";

/** Reference values kept for the `__other__` bin, so live values can be told unseen. */
export const OTHER_VALUES_CAP = 1000;

export interface Counter {
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
export function chooseNumeric(spec: SlotSpec, s: SlotSampler): NumericChoice {
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

export function numericCounter(name: string, choice: NumericChoice, min: number, max: number): Counter {
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

export function categoricalCounter(name: string, categories: string[]): Counter {
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
