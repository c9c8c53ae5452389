// `infermon compare`: the shadow's statistics in batch, for a CI gate on a candidate's offline
// predictions. Two sets of predictions on the same inputs (A: the current model, B: the candidate),
// already paired row by row, are compared with the shadow's rules (src/shadow/compare.ts):
// agreement, the difference histogram, drift of B's predictions against A's (and both against the
// reference), and with labels each side's accuracy or MAE and the variants' always-valid test of
// "B's loss is higher" (sequentialTest.ts). Pure: the CLI reads the files (src/batch/compareFiles.ts).

import { quantileSorted } from "simple-statistics";
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { type Level, type ModelConfig, PREDICTION_KEY } from "../config/model.js";
import { LabelValues } from "../labels/labelValues.js";
import { predictionReader } from "../monitor/predictionReading.js";
import type { BinLayout, Slot } from "../stats/binLayout.js";
import { driftValues, levelOf, levelsInForce, worstLevel } from "../stats/drift.js";
import { emptyArm, mixtureTest, observe } from "../stats/sequentialTest.js";
import { compareAnswers, DIFFERENCE_BUCKETS } from "./compare.js";

export interface DriftOf {
  psi: number;
  kl: number;
  js: number;
  /** the model's statistic judged against its levels at this sample size (fixed, learned or sample-size) */
  statistic: string;
  warning: number;
  critical: number;
  status: Level;
}

export interface ComparisonReport {
  model: string;
  rows: { a: number; b: number; paired: number; unpaired_a: number; unpaired_b: number };
  agreement: {
    /** rows where both sides have a prediction */
    compared: number;
    agree: number;
    no_prediction: number;
    share: number | null;
    min_agreement: number;
    status: Level;
  };
  difference: {
    rows: number;
    /** binary: |Δscore|; regression: |b − a| / max(|b|, |a|) */
    kind: "score" | "relative" | "none";
    mean: number | null;
    max: number | null;
    /** cumulative counts ≤ each bound, as the shadow's histogram */
    buckets: { le: number; count: number }[];
  };
  /** PSI, KL, JS of B's predictions against A's, and of each side against the reference profile */
  drift: { b_vs_a: DriftOf | null; a_vs_reference: DriftOf | null; b_vs_reference: DriftOf | null };
  quality: {
    labels: number;
    a: { accuracy?: number; mae?: number } | null;
    b: { accuracy?: number; mae?: number } | null;
    /** B − A in mean loss, with its always-valid confidence sequence; worse when the lower bound > 0 */
    test: { difference: number; lower: number; upper: number; p_value: number; worse: boolean } | null;
    status: Level;
  } | null;
  /** the worst level of agreement, drift B vs A and the loss test; insufficient_data below min_samples paired rows */
  status: Level | "insufficient_data";
}

export interface ComparisonInput {
  /** raw predictions of each paired row, A then B */
  a: readonly unknown[];
  b: readonly unknown[];
  /** raw labels of the paired rows (the label column), when given */
  labels?: readonly unknown[];
  rows: ComparisonReport["rows"];
}

export interface ComparisonOptions {
  /** the reference layout (its prediction slot bins both sides), when the model has a profile */
  layout: BinLayout | undefined;
  minAgreement: number;
}

const asEvents = (xs: readonly unknown[]): { kind: "events"; events: InferenceEvent[] } => ({
  kind: "events",
  events: xs.map((prediction, i) => ({
    model: "",
    version: "",
    id: String(i),
    features: {},
    time: 0,
    prediction,
  })),
});

/** Bins of the predictions: the reference's prediction slot, else the classes, else A's quantiles. */
function binner(model: ModelConfig, layout: BinLayout | undefined, aValues: number[], aClasses: string[]) {
  const slot: Slot | undefined =
    layout && layout.predictionSlot >= 0 ? layout.slots[layout.predictionSlot] : undefined;
  if (slot && layout) {
    const numeric = slot.bins.type === "numeric";
    return {
      size: slot.bins.size,
      reference: slot.referenceTotal > 0 ? slot.reference : undefined,
      bin: (cls: string | undefined, score: number | undefined) => {
        const v = numeric ? score : cls;
        if (v === undefined) return -1;
        const b = layout.binOf(slot, v);
        return b < 0 ? -1 : b - slot.offset;
      },
    };
  }
  if (model.task !== "regression") {
    const classes = [...new Set([...(model.prediction.classes ?? []), ...aClasses])];
    const index = new Map(classes.map((c, i) => [c, i]));
    return {
      size: classes.length + 1,
      reference: undefined,
      bin: (cls: string | undefined) => (cls === undefined ? -1 : (index.get(cls) ?? classes.length)),
    };
  }
  // quantile edges of A's values (duplicates removed, as `baseline` does)
  const sorted = [...aValues].sort((x, y) => x - y);
  const k = model.prediction.bins;
  const edges =
    sorted.length === 0
      ? []
      : [...new Set(Array.from({ length: k - 1 }, (_, i) => quantileSorted(sorted, (i + 1) / k)))];
  return {
    size: edges.length + 1,
    reference: undefined,
    bin: (_: string | undefined, score: number | undefined) => {
      if (score === undefined) return -1;
      let i = 0;
      while (i < edges.length && score >= (edges[i] as number)) i++;
      return i;
    },
  };
}

export function compareRows(
  model: ModelConfig,
  input: ComparisonInput,
  o: ComparisonOptions,
): ComparisonReport {
  const read = predictionReader(model);
  const tolerance = model.shadow?.tolerance ?? { absolute: 0, relative: 0.05 };
  const c = compareAnswers(model, read, tolerance, asEvents(input.a), asEvents(input.b));
  const rows = c.kind === "rows" ? c.rows : [];
  let agree = 0;
  let noPrediction = 0;
  const diffs: number[] = [];
  for (const r of rows) {
    if (r.agree === undefined) noPrediction++;
    else if (r.agree) agree++;
    if (r.difference !== undefined) diffs.push(r.difference);
  }
  const compared = rows.length - noPrediction;
  const share = compared > 0 ? agree / compared : null;
  const agreementStatus: Level = share !== null && share < o.minAgreement ? "critical" : "ok";

  // both sides' readings, for drift and quality
  const readA = input.a.map((x) => (x === undefined || x === null ? {} : read(x)));
  const readB = input.b.map((x) => (x === undefined || x === null ? {} : read(x)));
  const bins = binner(
    model,
    o.layout,
    readA.flatMap((r) => (r.score === undefined ? [] : [r.score])),
    readA.flatMap((r) => (r.cls === undefined ? [] : [r.cls])),
  );
  const count = (side: typeof readA) => {
    const counts = new Float64Array(bins.size);
    for (const r of side) {
      const b = bins.bin(r.cls, r.score);
      if (b >= 0) counts[b] = (counts[b] as number) + 1;
    }
    return counts;
  };
  const ca = count(readA);
  const cb = count(readB);
  const drift = (cur: Float64Array, ref: ArrayLike<number> | undefined): DriftOf | null => {
    if (!ref || cur.every((x) => x === 0) || Array.from(ref).every((x) => x === 0)) return null;
    const d = driftValues(cur, ref, model.drift.smoothing);
    const n = cur.reduce((a, x) => a + x, 0);
    const l = levelsInForce(model, PREDICTION_KEY, n, ref);
    return {
      ...d,
      statistic: l.statistic,
      warning: l.warning,
      critical: l.critical,
      status: levelOf(d[l.statistic], l),
    };
  };
  const bVsA = drift(cb, ca);

  let quality: ComparisonReport["quality"] = null;
  if (input.labels) {
    const values = new LabelValues(model);
    const armA = emptyArm();
    const armB = emptyArm();
    let labelled = 0;
    input.labels.forEach((raw, i) => {
      const truth = raw === undefined || raw === null ? undefined : values.label(raw);
      const pa = readA[i];
      const pb = readB[i];
      const va = pa && values.prediction(pa.cls, pa.score);
      const vb = pb && values.prediction(pb.cls, pb.score);
      if (truth === undefined || va === undefined || vb === undefined) return;
      labelled++;
      observe(armA, values.regression ? Math.abs(va - truth) : va === truth ? 0 : 1);
      observe(armB, values.regression ? Math.abs(vb - truth) : vb === truth ? 0 : 1);
    });
    const side = (arm: typeof armA) =>
      arm.n === 0 ? null : values.regression ? { mae: arm.sum / arm.n } : { accuracy: 1 - arm.sum / arm.n };
    const tau = model.variants?.test.effect.loss ?? (values.regression ? undefined : 0.02);
    const t =
      tau === undefined
        ? undefined
        : mixtureTest(armA, armB, {
            tau,
            alpha: model.variants?.test.alpha ?? 0.05,
            minSamples: Math.max(2, model.minSamples),
          });
    quality = {
      labels: labelled,
      a: side(armA),
      b: side(armB),
      test: t
        ? { difference: t.difference, lower: t.lower, upper: t.upper, p_value: t.pValue, worse: t.lower > 0 }
        : null,
      status: t && t.lower > 0 ? "critical" : "ok",
    };
  }

  const status = worstLevel([agreementStatus, bVsA?.status ?? "ok", quality?.status ?? "ok"]);
  const paired = input.rows.paired;
  return {
    model: model.name,
    rows: input.rows,
    agreement: {
      compared,
      agree,
      no_prediction: noPrediction,
      share,
      min_agreement: o.minAgreement,
      status: agreementStatus,
    },
    difference: {
      rows: diffs.length,
      kind:
        model.task === "regression" ? "relative" : model.task === "binary_classification" ? "score" : "none",
      mean: diffs.length > 0 ? diffs.reduce((x, y) => x + y, 0) / diffs.length : null,
      max: diffs.length > 0 ? Math.max(...diffs) : null,
      buckets: DIFFERENCE_BUCKETS.map((le) => ({ le, count: diffs.filter((d) => d <= le).length })),
    },
    drift: {
      b_vs_a: bVsA,
      a_vs_reference: drift(ca, bins.reference),
      b_vs_reference: drift(cb, bins.reference),
    },
    quality,
    // too few rows to judge (the levels are noise there): never a pass or a failure by itself
    status: paired < model.minSamples ? "insufficient_data" : status,
  };
}
