// Fleet-wide PSI, KL and JS: recording rules that merge every pod's bin counters
// (infermon_feature_bin_observations_total) and compare them with the reference
// (infermon_feature_reference_ratio r_i/R and infermon_feature_reference_observations R), with the
// agent's smoothing, exactly:
//   laplace: p_i = (c_i + α) / (N + k·α); q_i = (r_i + α) / (R + k·α), r_i = ratio_i · R
//   epsilon: p_i = c_i / N, q_i = r_i / R, a proportion that is 0 becomes ε
//   psi = Σ (p_i − q_i) · ln(p_i / q_i), kl = Σ p_i · ln(p_i / q_i)
//   js = sqrt(½ Σ [p_i·log2(p_i/m_i) + q_i·log2(q_i/m_i)]) on the unsmoothed proportions, m = (p+q)/2
// A value is recorded only when the fleet's window holds at least min_samples observations.
// The drift alerts (alerts/drift.ts) read these: one alert per model × feature × statistic,
// whatever the number of replicas.
import type { ModelConfig } from "../config/model.js";
import { longestTimeWindow, shortestTimeWindow, timeWindows } from "../config/window.js";
import { driftValues, type LevelSource } from "../stats/drift.js";
import { driftStderr } from "../stats/driftStderr.js";
import { NULL_Z, sampleSizeLevels } from "../stats/sampleSizeLevels.js";
import type { Scenario } from "./alerts/types.js";
import { groupName } from "./conventions.js";
import { FLEET_STDERR_RECORD, stderrRules } from "./fleetDriftStderr.js";
import { M, num, sel } from "./promql.js";
import type { RecordingRule, RuleGroup } from "./rules.js";

export const FLEET_RECORD = {
  counts: "model_feature_bin:infermon_feature_bin_observations:increase",
  observations: "model_feature:infermon_feature_observations:increase",
  reference: "model_feature_bin:infermon_feature_reference_ratio:smoothed",
  current: "model_feature_bin:infermon_feature_current_ratio:smoothed",
  currentRaw: "model_feature_bin:infermon_feature_current_ratio:raw",
  psi: "model_feature:infermon_feature_psi:fleet",
  kl: "model_feature:infermon_feature_kl_divergence:fleet",
  js: "model_feature:infermon_feature_js_distance:fleet",
  /** the warning and critical levels (`level` label) of the model's statistic (`statistic` label) */
  level: "model_feature:infermon_feature_drift_level:fleet",
} as const;

/** The source of a model's feature levels in the rules (the agent and `infermon drift` alike). */
export function ruleLevelSource(m: ModelConfig): LevelSource {
  if (m.drift.fixed[m.drift.statistic]) return "fixed";
  return m.drift.learn && m.drift.learned ? "learned" : "sample_size";
}

/**
 * The levels of the model's statistic per feature and window: fixed numbers; the numbers learned
 * per feature; or, by default, the null quantiles at the fleet's observations N of the window
 * against the reference's R over its k₀ bins with reference values (sampleSizeLevels.ts, the same
 * Wilson–Hilferty closed form): PSI (1/N + 1/R)·χ², KL half that, JS √((1/N + 1/R)·χ² / (8 ln 2)).
 */
function levelRules(m: ModelConfig, window: string): RecordingRule[] {
  const stat = m.drift.statistic;
  const n = sel(FLEET_RECORD.observations, { model: m.name, window });
  const source = ruleLevelSource(m);
  return (["warning", "critical"] as const).map((level) => {
    const labels = { model: m.name, window, statistic: stat, level };
    const fixed = m.drift.fixed[stat];
    if (source === "fixed" && fixed)
      return { record: FLEET_RECORD.level, expr: `0 * ${n} + ${num(fixed[level])}`, labels };
    if (source === "learned") {
      const learned = m.drift.learned?.[window] ?? {};
      const parts = m.features.flatMap((f) => {
        const l = learned[f.name]?.[stat];
        return l
          ? [
              `0 * ${sel(FLEET_RECORD.observations, { model: m.name, window, feature: f.name })} + ${num(l[level])}`,
            ]
          : [];
      });
      return { record: FLEET_RECORD.level, expr: parts.join("\nor\n"), labels };
    }
    const self = { model: m.name };
    const df = `clamp_min(count by (${FEATURE}) (max by (${BIN}) (${sel(M.referenceRatio, self)}) > 0) - 1, 1)`;
    const z = num(NULL_Z[level]);
    const chi2 = `(${df} * (1 - 2 / (9 * ${df}) + ${z} * sqrt(2 / (9 * ${df}))) ^ 3)`;
    const scale = `(1 / ${n} + on (${FEATURE}) group_left () (1 / max by (${FEATURE}) (${sel(M.referenceObservations, self)})))`;
    const at = `${scale}\n* on (${FEATURE}) group_left ()\n${chi2}`;
    const expr = stat === "psi" ? at : stat === "kl" ? `(${at}) / 2` : `sqrt((${at}) / ${num(8 * Math.LN2)})`;
    return { record: FLEET_RECORD.level, expr, labels };
  });
}

/**
 * The per-pod gauge each fleet statistic equals when the fleet is one pod (the rules compute what
 * the agent's engine computes on the same counts): how `infermon demo` judges its single agent by
 * the drift rules' own levels.
 */
export const ONE_POD_GAUGE: Readonly<Record<string, string>> = {
  [FLEET_RECORD.psi]: M.featurePsi,
  [FLEET_RECORD.kl]: M.featureKl,
  [FLEET_RECORD.js]: M.featureJs,
};

const BIN = "namespace, model, model_version, feature, bin";
const FEATURE = "namespace, model, model_version, feature";

/**
 * What a counter gained over `window`, exactly where it can be: `x - x offset window` per series
 * when the counter did not reset inside the window; a series born inside the window counts its
 * whole value; across a reset, increase() (which handles resets but extrapolates).
 * `increase()` alone extrapolates to the window's edges and drops the first increment of a new
 * series (docs/generate.md), which moves a count compared with min_samples or min_bad_events.
 */
export function exactIncrease(selector: string, window: string): string {
  const x = selector;
  return `((${x} - ${x} offset ${window}) and resets(${x}[${window}]) == 0) or (${x} unless ${x} offset ${window}) or increase(${x}[${window}])`;
}

function windowRules(m: ModelConfig, window: string): RecordingRule[] {
  const self = { model: m.name };
  const w = { model: m.name, window };
  const labels = { model: m.name, window };
  const counts = sel(FLEET_RECORD.counts, w);
  const reference = sel(FLEET_RECORD.reference, self);
  const current = sel(FLEET_RECORD.current, w);
  const raw = sel(FLEET_RECORD.currentRaw, w);
  const total = `sum by (${FEATURE}) (${counts})`;
  const s = m.drift.smoothing;
  const smoothed =
    s.method === "laplace"
      ? `(${counts} + ${num(s.alpha)})\n/ on (${FEATURE}) group_left ()\n(${total} + ${num(s.alpha)} * count by (${FEATURE}) (${counts}))`
      : `(${counts} / on (${FEATURE}) group_left ${total}) > 0\nor\n${counts} * 0 + ${num(s.epsilon)}`;
  const on = `on (${BIN})`;
  // a value is recorded only when the fleet's window holds min_samples observations of the feature
  const gate = `and on (${FEATURE})\n${sel(FLEET_RECORD.observations, w)} >= ${m.minSamples}`;
  const ratio = `max by (${BIN}) (${sel(M.referenceRatio, self)})`;
  // Jensen–Shannon: base 2, unsmoothed; a bin with p = 0 (or q = 0) contributes nothing
  const mid = `((${raw} + ${on} ${ratio}) / 2)`;
  const half = (x: string) => `sum by (${FEATURE}) ((${x} > 0) * ${on} log2((${x} > 0) / ${on} ${mid}))`;
  return [
    {
      record: FLEET_RECORD.counts,
      // bins nobody observed yet have no counter: take them from the reference as zeros
      expr: `sum by (${BIN}) (${exactIncrease(sel(M.binObservations, self), window)})\nor\n0 * ${ratio}`,
      labels,
    },
    { record: FLEET_RECORD.observations, expr: total, labels },
    { record: FLEET_RECORD.current, expr: smoothed, labels },
    { record: FLEET_RECORD.currentRaw, expr: `${counts}\n/ on (${FEATURE}) group_left ()\n${total}`, labels },
    {
      record: FLEET_RECORD.psi,
      expr: `sum by (${FEATURE}) (\n  (${current} - ${on} ${reference})\n  * ${on}\n  ln(${current} / ${on} ${reference})\n)\n${gate}`,
      labels,
    },
    {
      record: FLEET_RECORD.kl,
      expr: `sum by (${FEATURE}) (\n  ${current}\n  * ${on}\n  ln(${current} / ${on} ${reference})\n)\n${gate}`,
      labels,
    },
    {
      record: FLEET_RECORD.js,
      expr: `sqrt(clamp((\n  ${half(raw)}\n  + on (${FEATURE})\n  ${half(ratio)}\n) / 2, 0, 1))\n${gate}`,
      labels,
    },
  ];
}

/** q_i with the model's smoothing, from the reference ratios and the reference size. */
function referenceRule(m: ModelConfig): string {
  const self = { model: m.name };
  const ratio = `max by (${BIN}) (${sel(M.referenceRatio, self)})`;
  const s = m.drift.smoothing;
  if (s.method === "epsilon") return `${ratio} > 0\nor\n${ratio} * 0 + ${num(s.epsilon)}`;
  const size = `max by (${FEATURE}) (${sel(M.referenceObservations, self)})`;
  const a = num(s.alpha);
  return `(${ratio} * on (${FEATURE}) group_left () ${size} + ${a})\n/ on (${FEATURE}) group_left ()\n(${size} + ${a} * count by (${FEATURE}) (${ratio}))`;
}

export function fleetDriftGroups(models: readonly ModelConfig[]): RuleGroup[] {
  return models
    .filter((m) => m.features.length > 0)
    .map((m) => ({
      name: groupName("fleet-drift", m.name),
      rules: [
        { record: FLEET_RECORD.reference, expr: referenceRule(m), labels: { model: m.name } },
        // count windows ("5000 events") are no PromQL range: fleet rules are by time only
        ...timeWindows(m.windows).flatMap((w) => [
          ...windowRules(m, w.name),
          ...levelRules(m, w.name),
          ...stderrRules(m, w.name),
        ]),
      ],
    }));
}

/** Counts per minute over an hour, one bin never observed (no counter at all). */
const PER_MINUTE = [5, 3, 0, 2, 1];
/** Reference counts (R = 200); the agent exports them as ratios and the total. */
const REFERENCE = [70, 60, 30, 30, 10];
const REFERENCE_SIZE = REFERENCE.reduce((a, b) => a + b, 0);

/**
 * Window counts are exact: a counter born inside the window (a pod's first observation of a bin)
 * counts whole, and a reset counts from zero; increase() would drop the first increment of a new
 * series and extrapolate the rest (here 58 over 29 minutes → ~60 instead of 59).
 */
function exactCountScenario(m: ModelConfig): Scenario {
  const feature = (m.features[0] as { name: string }).name;
  const longest = longestTimeWindow(m.windows);
  const minutes = longest.ms / 60_000;
  const half = Math.floor(minutes / 2);
  const labels = { model: m.name, model_version: m.version, feature };
  const pod = (p: string, bin: string) => sel(M.binObservations, { ...labels, bin, pod: p });
  // pod a: steady 10/min; pod b: born at minute half+1 with 1, +2/min; pod c: reset at half
  const born = 1 + 2 * (minutes - half - 1);
  const input = [
    { series: pod("a", "b0"), values: `0+10x${minutes}` },
    { series: pod("b", "b0"), values: `_x${half} 1+2x${minutes - half - 1}` },
    { series: pod("c", "b1"), values: `0+3x${half} 0+3x${minutes - half - 1}` },
    ...["b0", "b1"].map((bin) => ({
      series: sel(M.referenceRatio, { ...labels, bin }),
      values: `0.5x${minutes}`,
    })),
  ];
  const total = 10 * minutes + born + 3 * half + 3 * (minutes - half - 1);
  return {
    name: `${m.name}: window counts are exact with a counter born in the window and a reset (${total})`,
    input,
    evalTime: longest.name,
    expect: [],
    exprs: [
      {
        expr: sel(FLEET_RECORD.observations, { model: m.name, window: longest.name }),
        samples: [
          {
            labels: `${FLEET_RECORD.observations}{feature="${feature}", model="${m.name}", model_version="${m.version}", window="${longest.name}"}`,
            value: total,
          },
        ],
      },
    ],
  };
}

export function fleetDriftScenarios(models: readonly ModelConfig[]): Scenario[] {
  const withFeatures = models.filter((m) => m.features.length > 0);
  return [...withFeatures.map(engineScenario), ...withFeatures.slice(0, 1).map(exactCountScenario)];
}

function engineScenario(m: ModelConfig): Scenario {
  {
    const feature = (m.features[0] as { name: string }).name;
    const labels = { model: m.name, model_version: m.version, feature };
    const longest = longestTimeWindow(m.windows);
    const minutes = longest.ms / 60_000;
    // scale so the longest window holds at least min_samples
    const scale = Math.max(1, Math.ceil(m.minSamples / (minutes * 11)));
    const perMinute = PER_MINUTE.map((c) => c * scale);
    const counts = perMinute.map((c) => c * minutes);
    const input = [
      ...perMinute.flatMap((c, i) =>
        c === 0
          ? []
          : [{ series: sel(M.binObservations, { ...labels, bin: `b${i}` }), values: `0+${c}x${minutes}` }],
      ),
      ...REFERENCE.map((r, i) => ({
        series: sel(M.referenceRatio, { ...labels, bin: `b${i}` }),
        values: `${r / REFERENCE_SIZE}x${minutes}`,
      })),
      { series: sel(M.referenceObservations, labels), values: `${REFERENCE_SIZE}x${minutes}` },
    ];
    // the values the agent's engine computes on the same counts
    const d = driftValues(counts, REFERENCE, m.drift.smoothing);
    const shortest = shortestTimeWindow(m.windows);
    const exprs = (["psi", "kl", "js"] as const).map((stat) => ({
      expr: `abs(${sel(FLEET_RECORD[stat], { model: m.name, window: longest.name })} - ${d[stat]}) < bool 1e-9`,
      samples: [
        {
          labels: `{feature="${feature}", model="${m.name}", model_version="${m.version}", window="${longest.name}"}`,
          value: 1,
        },
      ],
    }));
    // and their standard errors the agent's (src/stats/driftStderr.ts)
    const se = driftStderr(counts, REFERENCE, m.drift.smoothing);
    for (const stat of ["psi", "kl", "js"] as const)
      exprs.push({
        expr: `abs(${sel(FLEET_STDERR_RECORD[stat], { model: m.name, window: longest.name })} - ${se[stat]}) < bool 1e-9`,
        samples: [
          {
            labels: `{feature="${feature}", model="${m.name}", model_version="${m.version}", window="${longest.name}"}`,
            value: 1,
          },
        ],
      });
    // the levels the rules record are those the agent's engine and `infermon drift` use at N
    const total = counts.reduce((a, b) => a + b, 0);
    const levelOf = (level: "warning" | "critical"): number => {
      const stat = m.drift.statistic;
      const source = ruleLevelSource(m);
      if (source === "fixed") return (m.drift.fixed[stat] as { warning: number; critical: number })[level];
      if (source === "learned")
        return m.drift.learned?.[longest.name]?.[feature]?.[stat][level] ?? Number.NaN;
      return sampleSizeLevels(stat, total, REFERENCE)[level];
    };
    for (const level of ["warning", "critical"] as const)
      exprs.push({
        expr: `abs(${sel(FLEET_RECORD.level, { model: m.name, window: longest.name, level })} - ${levelOf(level)}) < bool 1e-9`,
        samples: [
          {
            labels: `{feature="${feature}", level="${level}", model="${m.name}", model_version="${m.version}", statistic="${m.drift.statistic}", window="${longest.name}"}`,
            value: 1,
          },
        ],
      });
    const shortTotal = perMinute.reduce((a, b) => a + b, 0) * (shortest.ms / 60_000);
    if (shortest.name !== longest.name && shortTotal < m.minSamples) {
      // below min_samples nothing is recorded, like the agent
      exprs.push({ expr: sel(FLEET_RECORD.psi, { model: m.name, window: shortest.name }), samples: [] });
    }
    return {
      name: `${m.name}: fleet PSI, KL and JS of ${feature} equal the engine's on the same counts (${d.psi.toFixed(6)}, ${d.kl.toFixed(6)}, ${d.js.toFixed(6)})`,
      input,
      evalTime: longest.name,
      expect: [],
      exprs,
    };
  }
}
