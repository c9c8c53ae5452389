// Canary gates (models[].rollout): what each gate measures, as recording rules, so the value a
// rollout decided on and its threshold are series a dashboard shows (docs/rollouts.md). Values are
// per ReplicaSet, read from the pod name (`<replicaset>-<suffix>`, Deployments and Argo Rollouts
// alike), so the canary's and the stable's pods get a value each; the Argo Rollouts and Flagger
// templates (argo.ts, flagger.ts) select the canary's. A value is recorded only when its window
// holds `rollout.min_samples` events: "no data / too few samples" is no value, which the
// templates turn into "inconclusive" (Argo) or a halted step (Flagger), never into a pass.
import type { ModelConfig, RolloutConfig, Statistic } from "../../config/model.js";
import { shortestTimeWindow } from "../../config/window.js";
import { exactIncrease } from "../fleetDrift.js";
import { M, num, sel } from "../promql.js";
import type { RecordingRule, RuleGroup } from "../rules.js";

export const GATE_RECORD = {
  value: "replicaset_gate:infermon_gate_value:window",
  samples: "replicaset_gate:infermon_gate_samples:window",
  threshold: "model_gate:infermon_gate_threshold:config",
  classes: "replicaset_class:infermon_gate_predictions:window",
  share: "replicaset_class:infermon_gate_prediction_share:window",
  restShare: "replicaset_class:infermon_gate_rest_prediction_share:window",
  mean: "replicaset:infermon_gate_prediction_mean:window",
  restMean: "replicaset:infermon_gate_rest_prediction_mean:window",
} as const;

export type GateName =
  | "availability_burn"
  | "latency_burn"
  | "prediction_drift"
  | "feature_drift"
  | "prediction_distance"
  | "prediction_shift"
  | "shadow_agreement"
  | "accuracy"
  | "mae";

export interface Gate {
  name: GateName;
  /** upper: the gate fails above the threshold; lower: below it */
  bound: "upper" | "lower";
  threshold: number;
  /** per ReplicaSet (the canary's own pods); false: model-wide (the shadow's agreement) */
  perReplicaset: boolean;
  /** what it measures, for docs and the templates' comments */
  what: string;
}

const BY = "namespace, model, replicaset";
const MODEL = "namespace, model";
/** A Kubernetes pod name is its ReplicaSet's name plus a random suffix. */
const rs = (inner: string): string => `label_replace(${inner}, "replicaset", "$1", "pod", "(.+)-[^-]+")`;
const sumRs = (inner: string, by = BY): string => `sum by (${by}) (${rs(inner)})`;
/**
 * What counter `x` gained over `w`, exactly where it can (fleetDrift.ts, exactIncrease): a canary
 * pod's counters are born inside the window, and increase() would drop their first increments.
 */
const gain = (x: string, w: string): string => `(${exactIncrease(x, w)})`;

const POD_PREDICTION: Record<Statistic, string> = {
  psi: M.predictionPsi,
  kl: M.predictionKl,
  js: M.predictionJs,
};
const POD_FEATURE: Record<Statistic, string> = { psi: M.featurePsi, kl: M.featureKl, js: M.featureJs };

/**
 * The critical level of the model's statistic for every feature in the gate's window, when known
 * at generate time: fixed, or learned from the reference (the profile's levels for that window).
 */
function featureLevels(m: ModelConfig): number[] | undefined {
  const stat = m.drift.statistic;
  const fixed = m.drift.fixed[stat];
  if (fixed) return m.features.map(() => fixed.critical);
  const learned = m.drift.learn ? m.drift.learned?.[shortest(m)] : undefined;
  if (!learned) return undefined;
  const levels = m.features.map((f) => learned[f.name]?.[stat]?.critical);
  return levels.every((l) => l !== undefined) ? (levels as number[]) : undefined;
}

// gates read PromQL ranges: the shortest time window (count windows have no range)
const shortest = (m: ModelConfig): string => shortestTimeWindow(m.windows).name;

/** The gates a model's configuration gives it, with their thresholds. */
export function gatesOf(m: ModelConfig): Gate[] {
  const r = m.rollout as RolloutConfig;
  const gates: Gate[] = [];
  const burn = "the SLO's error ratio over the window divided by its error budget";
  if (m.slo.availability)
    gates.push({
      name: "availability_burn",
      bound: "upper",
      threshold: r.maxBurnRate,
      perReplicaset: true,
      what: `availability burn rate: ${burn}`,
    });
  if (m.slo.latency)
    gates.push({
      name: "latency_burn",
      bound: "upper",
      threshold: r.maxBurnRate,
      perReplicaset: true,
      what: `latency burn rate: ${burn}`,
    });
  if (m.reference) {
    const stat = m.drift.statistic;
    gates.push({
      name: "prediction_drift",
      bound: "upper",
      threshold: 1,
      perReplicaset: true,
      what: `the predictions' ${stat} against the reference as a share of the pod's critical level (infermon_prediction_drift_level; window ${shortest(m)}), worst pod`,
    });
    // feature levels per pod are known only when fixed or learned (sample-size levels depend on each
    // pod's count and are recorded fleet-wide only): the gate needs them at generate time
    if (m.features.length > 0 && featureLevels(m) !== undefined)
      gates.push({
        name: "feature_drift",
        bound: "upper",
        threshold: 1,
        perReplicaset: true,
        what: `the largest feature ${stat} as a share of its critical level (fixed or learned; window ${shortest(m)}), worst pod`,
      });
  }
  if (m.task === "regression")
    gates.push({
      name: "prediction_shift",
      bound: "upper",
      threshold: r.maxPredictionShift,
      perReplicaset: true,
      what: "relative difference of the mean prediction from the rest of the model's traffic",
    });
  else
    gates.push({
      name: "prediction_distance",
      bound: "upper",
      threshold: r.maxPredictionDistance,
      perReplicaset: true,
      what: "Jensen-Shannon distance of the predicted classes from the rest of the model's traffic",
    });
  if (m.shadow)
    gates.push({
      name: "shadow_agreement",
      bound: "lower",
      threshold: m.shadow.minAgreement,
      perReplicaset: false,
      what: "share of rows on which the shadow agrees with the primary",
    });
  const accuracy =
    m.quality.accuracy?.critical ?? (m.slo.correctness ? m.slo.correctness.objective / 100 : undefined);
  if (m.task !== "regression" && accuracy !== undefined)
    gates.push({
      name: "accuracy",
      bound: "lower",
      threshold: accuracy,
      perReplicaset: true,
      what: `accuracy on labelled predictions (window ${shortest(m)}), worst pod`,
    });
  if (m.task === "regression" && m.quality.mae)
    gates.push({
      name: "mae",
      bound: "upper",
      threshold: m.quality.mae.critical,
      perReplicaset: true,
      what: `mean absolute error on labelled predictions (window ${shortest(m)}), worst pod`,
    });
  return gates;
}

function gateRules(m: ModelConfig, g: Gate): RecordingRule[] {
  const r = m.rollout as RolloutConfig;
  const W = r.window;
  const self = { model: m.name };
  const labels = { model: m.name, gate: g.name };
  const by = g.perReplicaset ? BY : MODEL;
  const samplesSel = sel(GATE_RECORD.samples, labels);
  const enough = `and on (${by}) ${samplesSel} >= ${r.minSamples}`;
  const rec = (samples: string, value: string, extra: RecordingRule[] = []): RecordingRule[] => [
    { record: GATE_RECORD.samples, expr: samples, labels },
    ...extra,
    { record: GATE_RECORD.value, expr: `${value}\n${enough}`, labels },
  ];
  const window = shortest(m);
  switch (g.name) {
    case "availability_burn": {
      const all = sel(M.requests, self);
      const budget = 1 - (m.slo.availability?.objective as number) / 100;
      return rec(
        sumRs(gain(all, W)),
        `${sumRs(gain(sel(M.requests, { ...self, code: { re: "5.." } }), W))}\n/ (${sumRs(gain(all, W))} > 0)\n/ ${num(budget)}`,
      );
    }
    case "latency_burn": {
      const lat = m.slo.latency as NonNullable<ModelConfig["slo"]["latency"]>;
      const count = sel(`${M.duration}_count`, self);
      const good = sel(`${M.duration}_bucket`, { ...self, le: String(lat.threshold) });
      const budget = 1 - lat.objective / 100;
      return rec(
        sumRs(gain(count, W)),
        `(1 - ${sumRs(gain(good, W))} / (${sumRs(gain(count, W))} > 0))\n/ ${num(budget)}`,
      );
    }
    case "prediction_drift": {
      // each pod's statistic against that pod's own critical level (fixed, learned or at its count)
      const level = sel(M.predictionLevel, { ...self, window, level: "critical" });
      return rec(
        sumRs(sel(M.windowSamples, { ...self, window })),
        `max by (${BY}) (\n  ${rs(sel(POD_PREDICTION[m.drift.statistic], { ...self, window }))}\n  / ignoring (statistic, level)\n  ${rs(level)}\n)`,
      );
    }
    case "feature_drift": {
      const levels = featureLevels(m) as number[];
      const metric = POD_FEATURE[m.drift.statistic];
      const same = levels.every((l) => l === levels[0]);
      const value = same
        ? `max by (${BY}) (${rs(sel(metric, { ...self, window }))}) / ${num(levels[0] as number)}`
        : `max by (${BY}) (\n  ${m.features.map((f, i) => `${rs(sel(metric, { ...self, feature: f.name, window }))} / ${num(levels[i] as number)}`).join("\n  or\n  ")}\n)`;
      return rec(sumRs(sel(M.windowSamples, { ...self, window })), value);
    }
    case "prediction_distance": {
      const counts = sel(GATE_RECORD.classes, self);
      const rest = `(sum by (${MODEL}, class) (${counts}) - on (${MODEL}, class) group_right () ${counts})`;
      const p = sel(GATE_RECORD.share, self);
      const q = sel(GATE_RECORD.restShare, self);
      const half = (x: string) =>
        `(sum by (${BY}) ((${x} > 0) * log2((${x} > 0) / ((${p} + ${q}) / 2))) or 0 * sum by (${BY}) (${x}))`;
      return rec(
        sumRs(gain(sel(M.predictions, self), W)),
        `sqrt(clamp((${half(p)} + ${half(q)}) / 2, 0, 1))\nand on (${BY}) sum by (${BY}) (${rest}) >= ${r.minSamples}`,
        [
          {
            record: GATE_RECORD.classes,
            expr: sumRs(gain(sel(M.predictions, self), W), `${BY}, class`),
            labels: self,
          },
          {
            record: GATE_RECORD.share,
            expr: `${counts}\n/ on (${BY}) group_left ()\n(sum by (${BY}) (${counts}) > 0)`,
            labels: self,
          },
          {
            record: GATE_RECORD.restShare,
            expr: `${rest}\n/ on (${BY}) group_left ()\n(sum by (${BY}) (${rest}) > 0)`,
            labels: self,
          },
        ],
      );
    }
    case "prediction_shift": {
      const s = sel(`${M.predictionValue}_sum`, self);
      const n = sel(`${M.predictionValue}_count`, self);
      const mean = sel(GATE_RECORD.mean, self);
      const restMean = sel(GATE_RECORD.restMean, self);
      const rest = (x: string) =>
        `(sum by (${MODEL}) ${gain(x, W)} - on (${MODEL}) group_right () ${sumRs(gain(x, W))})`;
      return rec(
        sumRs(gain(n, W)),
        `abs(${mean} - ${restMean}) / (abs(${restMean}) > 0)\nand on (${BY}) ${rest(n)} >= ${r.minSamples}`,
        [
          {
            record: GATE_RECORD.mean,
            expr: `${sumRs(gain(s, W))}\n/ (${sumRs(gain(n, W))} > 0)`,
            labels: self,
          },
          { record: GATE_RECORD.restMean, expr: `${rest(s)}\n/ (${rest(n)} > 0)`, labels: self },
        ],
      );
    }
    case "shadow_agreement": {
      const c = (result?: string) =>
        sel("infermon_shadow_comparisons_total", { ...self, result: result ?? { re: "agree|disagree" } });
      return rec(
        `sum by (${MODEL}) ${gain(c(), W)}`,
        `sum by (${MODEL}) ${gain(c("agree"), W)}\n/ (sum by (${MODEL}) ${gain(c(), W)} > 0)`,
      );
    }
    case "accuracy":
      return rec(
        sumRs(sel(M.windowLabeled, { ...self, window })),
        `min by (${BY}) (${rs(sel(M.accuracy, { ...self, window }))})`,
      );
    case "mae":
      return rec(
        sumRs(sel(M.windowLabeled, { ...self, window })),
        `max by (${BY}) (${rs(sel(M.mae, { ...self, window }))})`,
      );
  }
}

/** `alerts/rollout-gates.rules.yaml`: one group per model with `rollout`. */
export function gateGroups(models: readonly ModelConfig[]): RuleGroup[] {
  return models
    .filter((m) => m.rollout)
    .map((m) => ({
      name: `infermon-rollout-gates-${m.name}`,
      rules: gatesOf(m).flatMap((g) => [
        ...gateRules(m, g),
        {
          record: GATE_RECORD.threshold,
          expr: `vector(${num(g.threshold)})`,
          labels: { model: m.name, gate: g.name, bound: g.bound },
        },
      ]),
    }));
}
