// Standard errors of the fleet-wide PSI, KL and JS (fleetDrift.ts), as recording rules with the
// agent's formulas (src/stats/driftStderr.ts) on the merged counts: the delta method on the
// window's proportions less its noise, plus the no-drift chi-square floor. With n the fleet's
// observations of the feature and k its bins (k − 1 degrees of freedom; under epsilon smoothing,
// the bins the reference has):
//   PSI: g = ln(p/q) + 1 − q/p, floor 2(k−1)/n², no-drift mean (k−1)/n
//   KL:  g = ln(p/q) + 1,       floor (k−1)/(2n²), no-drift mean (k−1)/(2n)
//   JS distance d = √JSD: g = ½ log2(π/m) over the bins the window has, the delta variance over
//        4·JSD, floor ½/(8n·ln 2), no-drift mean of JSD (k−1)/(8n·ln 2)
//   variance = max(Σπg² − (Σπg)²)·s − (1 + ρ)·floor, 0) + floor, ρ = min(1, no-drift mean / value)
// π the unsmoothed proportions, p and q the smoothed ones, s = n/(n + kα)² (laplace) or 1/n.
import type { ModelConfig } from "../config/model.js";
import { FLEET_RECORD } from "./fleetDrift.js";
import { num, sel } from "./promql.js";
import type { RecordingRule } from "./rules.js";

export const FLEET_STDERR_RECORD = {
  dof: "model_feature:infermon_feature_drift_dof:fleet",
  scale: "model_feature:infermon_feature_drift_variance_scale:fleet",
  psi: "model_feature:infermon_feature_psi_stderr:fleet",
  kl: "model_feature:infermon_feature_kl_divergence_stderr:fleet",
  js: "model_feature:infermon_feature_js_distance_stderr:fleet",
} as const;

const BIN = "namespace, model, model_version, feature, bin";
const FEATURE = "namespace, model, model_version, feature";

/** The standard-error rules of one model and window (after fleetDrift's rules of that window). */
export function stderrRules(m: ModelConfig, window: string): RecordingRule[] {
  const self = { model: m.name };
  const w = { model: m.name, window };
  const counts = sel(FLEET_RECORD.counts, w);
  const p = sel(FLEET_RECORD.current, w);
  const raw = sel(FLEET_RECORD.currentRaw, w);
  const q = sel(FLEET_RECORD.reference, self);
  // per feature, all with the same labels (the rules' model and window added): plain arithmetic
  const n = sel(FLEET_RECORD.observations, w);
  const dof = sel(FLEET_STDERR_RECORD.dof, w);
  const scale = sel(FLEET_STDERR_RECORD.scale, w);
  const onBin = `on (${BIN})`;
  const withSpread = `on (${FEATURE}) group_left ()`;
  const sm = m.drift.smoothing;
  const ratio = `max by (${BIN}) (${sel("infermon_feature_reference_ratio", self)})`;
  /** Σπg² − (Σπg)² per feature, for a per-bin gradient `g` over the bins `weight` keeps. */
  const spread = (g: string, weight = raw) =>
    `(sum by (${FEATURE}) (${weight} * ${onBin} (${g})^2) - sum by (${FEATURE}) (${weight} * ${onBin} (${g}))^2)`;
  const corrected = (delta: string, floor: string, nullMean: string, value: string) =>
    `sqrt(\n  clamp_min(${delta} - (1 + clamp_max(${nullMean} / ${value}, 1)) * ${floor}, 0)\n  + ${floor}\n)`;
  const lr = `ln(${p} / ${onBin} ${q})`;
  const psiG = `${lr} + 1 - ${q} / ${onBin} ${p}`;
  const klG = `${lr} + 1`;
  // JS: unsmoothed, m = (π + r)/2 with r the reference ratio; bins the window lacks add nothing
  const seen = `(${raw} > 0)`;
  const jsG = `log2(${seen} / ${onBin} ((${raw} + ${onBin} ${ratio}) / 2)) / 2`;
  const js = sel(FLEET_RECORD.js, w);
  const ln2 = num(Math.LN2);
  return [
    {
      record: FLEET_STDERR_RECORD.dof,
      // every bin is smoothed under laplace; under epsilon the reference's bins count
      expr:
        sm.method === "laplace"
          ? `count by (${FEATURE}) (${counts}) - 1`
          : `count by (${FEATURE}) (${ratio} > 0) - 1`,
      labels: w,
    },
    {
      record: FLEET_STDERR_RECORD.scale,
      // the variance of one smoothed proportion per unit of the multinomial's
      expr: sm.method === "laplace" ? `${n} / (${n} + ${num(sm.alpha)} * (${dof} + 1))^2` : `${n} ^ -1`,
      labels: w,
    },
    {
      record: FLEET_STDERR_RECORD.psi,
      expr: corrected(
        `${scale} * ${withSpread} ${spread(psiG)}`,
        `(2 * ${dof} / ${n}^2)`,
        `(${dof} / ${n})`,
        sel(FLEET_RECORD.psi, w),
      ),
      labels: w,
    },
    {
      record: FLEET_STDERR_RECORD.kl,
      expr: corrected(
        `${scale} * ${withSpread} ${spread(klG)}`,
        `(${dof} / (2 * ${n}^2))`,
        `(${dof} / (2 * ${n}))`,
        sel(FLEET_RECORD.kl, w),
      ),
      labels: w,
    },
    {
      record: FLEET_STDERR_RECORD.js,
      // the delta variance of the JSD (= d²) over 4·JSD; none when the JSD is 0
      expr: corrected(
        `((${n} ^ -1 * ${withSpread} ${spread(jsG, seen)}) / (4 * ${js}^2 > 0) or 0 * ${js})`,
        `(0.5 / (8 * ${n} * ${ln2}))`,
        `(${dof} / (8 * ${n} * ${ln2}))`,
        `${js}^2`,
      ),
      labels: w,
    },
  ];
}
