// The result of comparing current counts with a reference, in the shape `infermon drift --format
// json` prints (docs/batch-drift.md). Pure: the CLI and the agent's tests build
// it the same way.
//
// Statuses (ADR 0009): `ok`, `warning`, `critical` from the drift thresholds and the data-quality
// shares; `insufficient_data` when the current data has fewer than `min_samples` rows (values still
// shown); `missing` when one side has no values for the feature (drift values null). A missing
// current feature (absent, or no usable value in any row) counts as critical for `--fail-on`; a feature
// with no reference values has undefined drift and does not trip the gate (`baseline` warns).
import {
  type Level,
  type Levels,
  type ModelConfig,
  PREDICTION_KEY,
  type Statistic,
} from "../config/model.js";
import type { BinLayout, Slot } from "./binLayout.js";
import {
  driftValues,
  type LevelsInForce,
  levelOf,
  levelReached,
  levelsInForce,
  shareLevel,
  worstLevel,
} from "./drift.js";
import { type DriftStderr, driftStderr } from "./driftStderr.js";
import type { QualityReport } from "./qualityReport.js";
import type { RowCounter } from "./rowCounter.js";
import { proportions } from "./smoothing.js";

export type Status = Level | "insufficient_data" | "missing";

/**
 * Why a status is what it is, when it is not the drift statistics alone. With status `missing`:
 * `missing` (the current data has no usable value: absent column, or every value missing),
 * `invalid` (every value present is invalid), `no_reference_values` (the reference has no value:
 * drift undefined). With a level: the data-quality share (`missing`, `invalid`, `unseen`) that set it.
 */
export type Reason = "missing" | "invalid" | "unseen" | "no_reference_values";

/**
 * What set a judged status (ok, warning, critical): the model's drift statistic, or the
 * data-quality share that reached a higher level; its value, the level reached and that level's
 * threshold (for `ok`, the warning threshold not reached).
 */
export type SetBy =
  | { statistic: Statistic; value: number; level: Level; threshold: number }
  | { share: "missing" | "invalid" | "unseen"; value: number; level: Level; threshold: number };

export interface FeatureDrift {
  name: string;
  type: "numeric" | "categorical";
  /** null when either side has no value for this feature */
  psi: number | null;
  kl: number | null;
  js: number | null;
  /** standard errors of psi, kl and js (driftStderr.ts); null with them */
  stderr: DriftStderr | null;
  status: Status;
  reason?: Reason;
  /** what set the status (judged statuses only) */
  set_by?: SetBy;
  /** the levels in force: the statistic that sets status, its warning and critical levels, their source */
  levels?: LevelsInForce;
  /** true when no current row has the column or key at all (a renamed column, nested JSONL) */
  absent?: true;
  missing: number;
  invalid: number;
  /** categorical only: values never seen in the reference */
  unseen?: number;
  bins: { bin: string; reference: number; current: number }[];
}

export interface PredictionDrift {
  psi: number | null;
  kl: number | null;
  js: number | null;
  stderr: DriftStderr | null;
  status: Status;
  reason?: Reason;
  set_by?: SetBy;
  levels?: LevelsInForce;
}

export interface DriftReport {
  model: string;
  rows: { reference: number; current: number; skipped: number };
  features: FeatureDrift[];
  prediction?: PredictionDrift;
  /** model quality: realized with the target column, estimated from calibrated scores (qualityReport.ts) */
  quality?: QualityReport;
  /**
   * the worst gate level of the features, the prediction and the quality; `insufficient_data` when
   * that is ok but data is short
   */
  status: Level | "insufficient_data";
}

/** The level a feature's or prediction's status means for `--fail-on`. */
export function gateLevel(s: { status: Status; reason?: Reason }): Level {
  if (s.status === "missing") return s.reason === "no_reference_values" ? "ok" : "critical";
  if (s.status === "insufficient_data") return "ok";
  return s.status;
}

/** Whether `infermon drift --fail-on <failOn> [--fail-on-insufficient]` fails on this report. */
export function gateFails(
  r: DriftReport,
  failOn: Exclude<Level, "ok"> | undefined,
  onInsufficient: boolean,
): boolean {
  if (onInsufficient && r.status === "insufficient_data") return true;
  if (!failOn || r.status === "insufficient_data") return false;
  return levelReached(r.status, failOn);
}

function slotCounts(counts: Float64Array, slot: Slot): Float64Array {
  return counts.subarray(slot.offset, slot.offset + slot.bins.size);
}

const sum = (xs: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += xs[i] as number;
  return n;
};

const NULLS = { psi: null, kl: null, js: null, stderr: null };

interface Judged {
  psi: number | null;
  kl: number | null;
  js: number | null;
  stderr: DriftStderr | null;
  status: Status;
  reason?: Reason;
  absent?: true;
  set_by?: SetBy;
  levels?: LevelsInForce;
}

/** Drift of one slot, judged: missing sides first, then drift and data-quality levels. */
function judge(
  model: ModelConfig,
  slot: Slot,
  current: Float64Array,
  quality: { present: number; missing: number; invalid: number },
  shares: { kind: "missing" | "invalid" | "unseen"; share: number; levels: Levels }[],
  enough: boolean,
  /** whose levels: the feature's name, or PREDICTION_KEY (learned levels) */
  levelsKey: string,
): Judged {
  if (quality.present === 0) return { ...NULLS, status: "missing", reason: "missing", absent: true };
  if (sum(current) === 0)
    return {
      ...NULLS,
      status: "missing",
      reason: quality.invalid > 0 && quality.missing === 0 ? "invalid" : "missing",
    };
  if (slot.referenceTotal === 0) return { ...NULLS, status: "missing", reason: "no_reference_values" };
  const v = {
    ...driftValues(current, slot.reference, model.drift.smoothing),
    stderr: driftStderr(current, slot.reference, model.drift.smoothing),
  };
  const inForce = levelsInForce(model, levelsKey, sum(current), slot.reference);
  if (!enough) return { ...v, status: "insufficient_data", levels: inForce };
  const stat = inForce.statistic;
  const drift = levelOf(v[stat], inForce);
  const driftBy: SetBy = {
    statistic: stat,
    value: v[stat],
    level: drift,
    threshold: drift === "critical" ? inForce.critical : inForce.warning,
  };
  const levels = shares.map((s) => {
    const level = shareLevel(s.share, s.levels);
    const threshold = level === "critical" ? s.levels.critical : s.levels.warning;
    return { kind: s.kind, level, by: { share: s.kind, value: s.share, level, threshold } as SetBy };
  });
  const status = worstLevel([drift, ...levels.map((l) => l.level)]);
  // name the data-quality share when it, not the drift statistic, set the level
  const dq = status !== drift ? levels.find((l) => l.level === status) : undefined;
  return dq
    ? { ...v, status, reason: dq.kind, set_by: dq.by, levels: inForce }
    : { ...v, status, set_by: driftBy, levels: inForce };
}

export function driftReport(
  model: ModelConfig,
  layout: BinLayout,
  current: RowCounter,
  rows: { reference: number; skipped: number },
): DriftReport {
  const features: FeatureDrift[] = [];
  const n = current.rows;
  const enough = n >= model.minSamples;
  const dq = model.dataQuality;
  for (let s = 0; s < layout.featureCount; s++) {
    const slot = layout.slots[s]!;
    const cur = slotCounts(current.counts, slot);
    const pc = proportions(cur);
    const pr = proportions(slot.reference);
    const categorical = slot.bins.type === "categorical";
    const shares = [
      { kind: "missing" as const, share: n > 0 ? current.missing[s]! / n : 0, levels: dq.missing },
      { kind: "invalid" as const, share: n > 0 ? current.invalid[s]! / n : 0, levels: dq.invalid },
      ...(categorical
        ? [{ kind: "unseen" as const, share: n > 0 ? current.unseen[s]! / n : 0, levels: dq.unseen }]
        : []),
    ];
    const quality = {
      present: current.present[s]!,
      missing: current.missing[s]!,
      invalid: current.invalid[s]!,
    };
    const judged = judge(model, slot, cur, quality, shares, enough, slot.name);
    features.push({
      name: slot.name,
      type: slot.bins.type,
      ...judged,
      missing: current.missing[s]!,
      invalid: current.invalid[s]!,
      // documented key order: unseen after invalid, categorical only
      ...(categorical && { unseen: current.unseen[s]! }),
      bins: slot.labels.map((bin, i) => ({ bin, reference: pr[i]!, current: pc[i]! })),
    });
  }
  let prediction: PredictionDrift | undefined;
  const ps = layout.predictionSlot;
  if (ps >= 0) {
    const slot = layout.slots[ps]!;
    const cur = slotCounts(current.counts, slot);
    // present when the current data has the prediction field too
    const quality = {
      present: current.present[ps]!,
      missing: current.missing[ps]!,
      invalid: current.invalid[ps]!,
    };
    if (sum(cur) > 0) prediction = judge(model, slot, cur, quality, [], enough, PREDICTION_KEY);
  }
  const parts = [...features, ...(prediction ? [prediction] : [])];
  const worst = worstLevel(parts.map(gateLevel));
  const short = parts.some((p) => p.status === "insufficient_data");
  return {
    model: model.name,
    rows: { reference: rows.reference, current: n, skipped: rows.skipped },
    features,
    ...(prediction && { prediction }),
    status: worst === "ok" && short ? "insufficient_data" : worst,
  };
}
