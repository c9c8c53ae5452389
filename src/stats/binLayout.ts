// The bins of one model laid out in a flat counts array: features in config order, then the
// prediction. Built once per model from its reference profile; counting is then index arithmetic.
import type { ModelConfig } from "../config/model.js";
import {
  type Bins,
  binLabels,
  categoricalBins,
  categoryBinIndex,
  numericBinOf,
  numericBins,
  valueBins,
} from "./binning.js";
import { type Profile, ProfileError, type ProfileSlot } from "./profile.js";
import type { ProfileScores } from "./scoreProfile.js";
import { INVALID_VALUE, MISSING_VALUE, readCategory, readNumber } from "./values.js";

export const MISSING_BIN = -1;
export const INVALID_BIN = -2;

export interface Slot {
  readonly name: string;
  readonly bins: Bins;
  readonly labels: readonly string[];
  /** first index of this slot in a flat counts array */
  readonly offset: number;
  /** reference counts per bin */
  readonly reference: Float64Array;
  /** binned reference values; 0 means the reference distribution is undefined (no drift is computed) */
  readonly referenceTotal: number;
  /** reference values known to the categorical `__other__` bin (unseen = neither these nor a category) */
  readonly known?: ReadonlySet<string>;
  /** numeric: the reference's smallest and largest values, when the profile has them */
  readonly range?: { readonly min: number; readonly max: number };
}

export class BinLayout {
  readonly width: number;
  /** index of the prediction slot in `slots`, or -1 */
  readonly predictionSlot: number;

  private constructor(
    readonly slots: readonly Slot[],
    hasPrediction: boolean,
    /** the profile's score bins and calibration (classification; scoreBins.ts reads them) */
    readonly scores?: ProfileScores,
  ) {
    const last = slots[slots.length - 1];
    this.width = last ? last.offset + last.bins.size : 0;
    this.predictionSlot = hasPrediction ? slots.length - 1 : -1;
  }

  get featureCount(): number {
    return this.predictionSlot >= 0 ? this.slots.length - 1 : this.slots.length;
  }

  /** Layout for `model` from its profile; every configured feature must be in the profile. */
  static fromProfile(profile: Profile, model: ModelConfig): BinLayout {
    const byName = new Map(profile.features.map((f) => [f.name, f]));
    const slots: Slot[] = [];
    let offset = 0;
    for (const f of model.features) {
      const ps = byName.get(f.name);
      if (!ps) throw new ProfileError(`profile for model "${profile.model}" has no feature "${f.name}"`);
      if (ps.type !== f.type)
        throw new ProfileError(
          `feature "${f.name}" is ${f.type} in the config but ${ps.type} in the profile`,
        );
      const s = slotFrom(ps, offset);
      slots.push(s);
      offset += s.bins.size;
    }
    if (profile.prediction) slots.push(slotFrom(profile.prediction, offset));
    return new BinLayout(slots, profile.prediction !== undefined, profile.scores);
  }

  /**
   * Flat index of `raw` in `slot`, or MISSING_BIN / INVALID_BIN. The hot path of counting:
   * no allocation for numeric values.
   */
  binOf(slot: Slot, raw: unknown): number {
    const bins = slot.bins;
    if (bins.type === "numeric") {
      const x = readNumber(raw);
      if (x === MISSING_VALUE) return MISSING_BIN;
      if (x === INVALID_VALUE) return INVALID_BIN;
      return slot.offset + numericBinOf(bins, x);
    }
    const v = readCategory(raw);
    if (v === MISSING_VALUE) return MISSING_BIN;
    if (v === INVALID_VALUE) return INVALID_BIN;
    return slot.offset + categoryBinIndex(bins, v);
  }

  /** Whether categorical value `raw` was never seen in the reference. */
  isUnseen(slot: Slot, raw: unknown): boolean {
    if (slot.bins.type !== "categorical") return false;
    const v = readCategory(raw);
    if (typeof v !== "string") return false;
    return !slot.bins.index.has(v) && !(slot.known?.has(v) ?? false);
  }
}

function slotFrom(ps: ProfileSlot, offset: number): Slot {
  const bins =
    ps.type === "categorical"
      ? categoricalBins(ps.categories)
      : ps.layout === "values"
        ? valueBins(ps.values ?? [])
        : numericBins(ps.edges ?? []);
  const s: Slot = {
    name: ps.name,
    bins,
    labels: binLabels(bins),
    offset,
    reference: Float64Array.from(ps.counts),
    referenceTotal: ps.counts.reduce((a, b) => a + b, 0),
  };
  if (ps.type === "categorical" && ps.other_values) return { ...s, known: new Set(ps.other_values) };
  if (ps.type === "numeric" && typeof ps.min === "number" && typeof ps.max === "number")
    return { ...s, range: { min: ps.min, max: ps.max } };
  return s;
}
