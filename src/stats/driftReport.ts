// The result of comparing current counts with a reference, in the shape `infermon drift --format
// json` prints (README, Commands). Pure: the CLI and the agent's tests build it the same way.
import { type Level, type ModelConfig, PREDICTION_KEY } from "../config/model.js";
import type { BinLayout, Slot } from "./binLayout.js";
import { driftLevel, driftValues, levelsFor, worstLevel } from "./drift.js";
import type { RowCounter } from "./rowCounter.js";
import { proportions } from "./smoothing.js";

export interface FeatureDrift {
  name: string;
  type: "numeric" | "categorical";
  /** null when the current data has no value for this feature */
  psi: number | null;
  kl: number | null;
  js: number | null;
  status: Level;
  missing: number;
  invalid: number;
  /** categorical only: values never seen in the reference */
  unseen?: number;
  bins: { bin: string; reference: number; current: number }[];
}

export interface DriftReport {
  model: string;
  rows: { reference: number; current: number; skipped: number };
  features: FeatureDrift[];
  prediction?: { psi: number | null; kl: number | null; js: number | null; status: Level };
  status: Level;
}

function slotCounts(counts: Float64Array, slot: Slot): Float64Array {
  return counts.subarray(slot.offset, slot.offset + slot.bins.size);
}

function stats(model: ModelConfig, name: string, current: Float64Array, reference: Float64Array) {
  let n = 0;
  for (const c of current) n += c;
  if (n === 0) return { psi: null, kl: null, js: null, status: "ok" as Level };
  const v = driftValues(current, reference, model.drift.smoothing);
  return { ...v, status: driftLevel(v, levelsFor(model, name)) };
}

export function driftReport(
  model: ModelConfig,
  layout: BinLayout,
  current: RowCounter,
  rows: { reference: number; skipped: number },
): DriftReport {
  const features: FeatureDrift[] = [];
  for (let s = 0; s < layout.featureCount; s++) {
    const slot = layout.slots[s]!;
    const cur = slotCounts(current.counts, slot);
    const pc = proportions(cur);
    const pr = proportions(slot.reference);
    const f: FeatureDrift = {
      name: slot.name,
      type: slot.bins.type,
      ...stats(model, slot.name, cur, slot.reference),
      missing: current.missing[s]!,
      invalid: current.invalid[s]!,
      bins: slot.labels.map((bin, i) => ({ bin, reference: pr[i]!, current: pc[i]! })),
    };
    if (slot.bins.type === "categorical") {
      // keep the documented key order: unseen after invalid
      const { bins, ...rest } = f;
      features.push({ ...rest, unseen: current.unseen[s]!, bins });
    } else features.push(f);
  }
  let prediction: DriftReport["prediction"];
  const ps = layout.predictionSlot;
  if (ps >= 0) {
    const slot = layout.slots[ps]!;
    const cur = slotCounts(current.counts, slot);
    let n = 0;
    for (const c of cur) n += c;
    // present when the current data has the prediction field too
    if (n > 0) prediction = stats(model, PREDICTION_KEY, cur, slot.reference);
  }
  const status = worstLevel([...features.map((f) => f.status), prediction?.status ?? "ok"]);
  return {
    model: model.name,
    rows: { reference: rows.reference, current: current.rows, skipped: rows.skipped },
    features,
    ...(prediction && { prediction }),
    status,
  };
}
