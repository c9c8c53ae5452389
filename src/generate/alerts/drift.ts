// Feature drift on the fleet recording rules (fleetDrift.ts): one alert per model and level —
// however many features drifted, whatever the replica count — on the model's one drift
// statistic (`drift.statistic`, default JS) against each feature's level (the recorded
// `…:drift_level:fleet`: fixed, learned or following the window's sample size). Its value is the
// number of drifted features; its description names the top five with values and levels (a query
// in the annotation template). `for:` follows the window; keep_firing_for holds a standing alert
// through a traffic dip, and an info alert says when there is too little traffic to judge.
// Prediction drift stays per pod (the agent exports no mergeable prediction bins, but exports the
// prediction's levels), one alert per model and level (max over pods). Severities follow the
// policy of the `input_drift` and `prediction_drift` concerns.
import { formatDuration, parseDuration } from "../../config/duration.js";
import type { ModelConfig, Statistic } from "../../config/model.js";
import { groupName, LABEL, SEVERITY } from "../conventions.js";
import { exactIncrease, FLEET_RECORD } from "../fleetDrift.js";
import { M, num, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import type { RuleLevel } from "../severity.js";
import { featureSpec, predictionSpec, trafficSpec } from "./driftSpecs.js";
import { policyLevels } from "./levels.js";
import type { AlertConcern, AlertSpec, ExpectedAlert, Scenario } from "./types.js";
import { longestWindow, modelAlert } from "./types.js";

/** Features a drift alert's description names. */
export const TOP_FEATURES = 5;

const STAT_TITLE: Record<Statistic, string> = { psi: "PSI", kl: "KL divergence", js: "JS distance" };
const FLEET_STAT: Record<Statistic, string> = {
  psi: FLEET_RECORD.psi,
  kl: FLEET_RECORD.kl,
  js: FLEET_RECORD.js,
};
const POD_STAT: Record<Statistic, string> = { psi: M.predictionPsi, kl: M.predictionKl, js: M.predictionJs };

const FEATURE = "namespace, model, model_version, feature, window";
const MODEL = "namespace, model, model_version, window";

/** The window drift alerts read and their timing: `for` = window / 4 (at least 1m) unless configured. */
export function driftTiming(model: ModelConfig): { window: string; for: string; keepFiringFor: string } {
  const window = longestWindow(model);
  const ms = parseDuration(window) ?? 3_600_000;
  const derived = formatDuration(Math.max(60_000, Math.round(ms / 4 / 60_000) * 60_000));
  // keep firing for one window: a dip below min_samples lasts until a window's worth of traffic is back
  return { window, for: model.drift.for ?? derived, keepFiringFor: window };
}

/** Features at or above their `level`, the fleet statistic's series (feature labels kept). */
function drifted(model: ModelConfig, level: RuleLevel, extra: Record<string, string> = {}): string {
  const t = driftTiming(model);
  const w = { model: model.name, window: t.window, ...extra };
  return `${sel(FLEET_STAT[model.drift.statistic], w)}\n  >= on (${FEATURE})\n  ${sel(FLEET_RECORD.level, { ...w, level })}`;
}

/**
 * The description: how many features drifted, then the top ones, each with its value and level,
 * read by queries at the alert's evaluation (Prometheus alert templates' `query`). A template in
 * Go's syntax; `featureDescription` gives what it expands to.
 */
function featureTemplate(model: ModelConfig, level: RuleLevel): string {
  const t = driftTiming(model);
  const scope = `model="${model.name}",window="${t.window}",namespace=%q,model_version=%q`;
  const stat = FLEET_STAT[model.drift.statistic];
  const top = `sort_desc(topk(${TOP_FEATURES}, ${stat}{${scope}} >= on (${FEATURE}) ${FLEET_RECORD.level}{${scope},level="${level}"}))`;
  const levelOf = `${FLEET_RECORD.level}{${scope},level="${level}",feature=%q}`;
  const ns = "$labels.namespace $labels.model_version";
  return [
    `Model ${model.name} (version {{ $labels.model_version }}): {{ $value | printf "%.0f" }} of its features drifted over the last ${t.window} (${STAT_TITLE[model.drift.statistic]} at or above their ${level} level).`,
    ` Top ${TOP_FEATURES}:`,
    `{{ range $i, $f := query (printf \`${top}\` ${ns} ${ns}) }}`,
    `{{ if $i }},{{ end }} {{ $f.Labels.feature }} {{ $f.Value | printf "%.3f" }}`,
    `{{ with query (printf \`${levelOf}\` ${ns} $f.Labels.feature) }} (level {{ . | first | value | printf "%.3f" }}){{ end }}`,
    "{{ end }}.",
  ].join("");
}

/** What `featureTemplate` expands to for `rows` (feature, value, level), as Prometheus prints it. */
export function featureDescription(
  model: ModelConfig,
  level: RuleLevel,
  labels: Record<string, string>,
  count: number,
  rows: { feature: string; value: number; level: number }[],
): string {
  const t = driftTiming(model);
  const top = [...rows]
    .sort((a, b) => b.value - a.value)
    .slice(0, TOP_FEATURES)
    .map((r) => ` ${r.feature} ${r.value.toFixed(3)} (level ${r.level.toFixed(3)})`)
    .join(",");
  return `Model ${model.name} (version ${labels.model_version ?? ""}): ${count.toFixed(0)} of its features drifted over the last ${t.window} (${STAT_TITLE[model.drift.statistic]} at or above their ${level} level). Top ${TOP_FEATURES}:${top}.`;
}

function featureRules(model: ModelConfig): AlertingRule[] {
  const t = driftTiming(model);
  return policyLevels(model, featureSpec).map(({ level, severity }) => ({
    ...modelAlert(
      featureSpec,
      model,
      severity,
      `count by (${MODEL}) (\n  ${drifted(model, level)}\n)`,
      t.for,
      {
        labels: { [LABEL.statistic]: model.drift.statistic, level },
        description: featureTemplate(model, level),
      },
    ),
    keepFiringFor: t.keepFiringFor,
  }));
}

function predictionRules(model: ModelConfig): AlertingRule[] {
  const t = driftTiming(model);
  const stat = model.drift.statistic;
  const w = { model: model.name, window: t.window };
  const fixed = model.drift.fixed[stat];
  return policyLevels(model, predictionSpec).map(({ level, severity }) => ({
    ...(fixed && {
      check: { metric: POD_STAT[stat], matchers: w, op: ">" as const, value: fixed[level], level },
    }),
    ...modelAlert(
      predictionSpec,
      model,
      severity,
      `max by (${MODEL}) (\n  ${sel(POD_STAT[stat], w)}\n  >= ignoring (statistic, level)\n  ${sel(M.predictionLevel, { ...w, level })}\n)`,
      t.for,
      {
        labels: { [LABEL.statistic]: stat, level },
        description: `The ${STAT_TITLE[stat]} of the predictions of model {{ $labels.model }} (version {{ $labels.model_version }}) over the {{ $labels.window }} window is {{ $value | printf "%.3f" }} on at least one pod, at or above that pod's ${level} level.`,
      },
    ),
    keepFiringFor: t.keepFiringFor,
  }));
}

function trafficRule(model: ModelConfig): AlertingRule {
  const t = driftTiming(model);
  const events = sel(M.events, { model: model.name });
  return modelAlert(
    trafficSpec,
    model,
    SEVERITY.info,
    `sum by (namespace, model) (${exactIncrease(events, t.window)}) < ${model.minSamples}`,
    t.for,
    {
      labels: { window: t.window },
      description: `Across all replicas, model {{ $labels.model }} analysed {{ $value | printf "%.0f" }} events over the last ${t.window}, fewer than min_samples (${model.minSamples}): drift is not judged.`,
    },
  );
}

/** Scenario levels: every feature gets its own (the rules read the recorded levels, whatever their source). */
const LEVELS = { warning: 0.05, critical: 0.08 };

/**
 * Feature scenarios: two features past critical, one between the levels, the rest under warning
 * (every level alert fires once, counting its features and naming them); all under warning
 * (quiet); drifted, then the value gone (a traffic dip) and the alerts still firing.
 */
function featureScenarios(model: ModelConfig): Scenario[] {
  const t = driftTiming(model);
  const forMin = (parseDuration(t.for) ?? 0) / 60_000;
  const windowMin = (parseDuration(t.window) ?? 0) / 60_000;
  const samples = forMin + 25;
  const evalTime = `${forMin + 15}m`;
  const labels = { model: model.name, model_version: model.version, window: t.window };
  const features = model.features.map((f, i) => ({
    feature: f.name,
    // per-feature levels, so the description must read each feature's own
    levels: { warning: LEVELS.warning * (1 + i / 10), critical: LEVELS.critical * (1 + i / 10) },
  }));
  const valueAt = (i: number, drift: boolean): number => {
    const l = (features[i] as (typeof features)[number]).levels;
    if (!drift) return Number((l.warning / 2).toPrecision(4));
    if (i === 0) return Number((l.critical * 2).toPrecision(4));
    if (i === 1) return Number((l.critical * 3).toPrecision(4));
    if (i === 2) return Number(((l.warning + l.critical) / 2).toPrecision(4));
    return Number((l.warning / 2).toPrecision(4));
  };
  const input = (drift: boolean, values = (v: number) => `${num(v)}+0x${samples}`) =>
    features.flatMap((f, i) => {
      const fl = { ...labels, feature: f.feature };
      return [
        { series: sel(FLEET_STAT[model.drift.statistic], fl), values: values(valueAt(i, drift)) },
        ...(["warning", "critical"] as const).map((level) => ({
          series: sel(FLEET_RECORD.level, { ...fl, level, statistic: model.drift.statistic }),
          values: `${num(f.levels[level])}+0x${samples + windowMin}`,
        })),
      ];
    });
  const expected = (drift: boolean): ExpectedAlert[] =>
    policyLevels(model, featureSpec).flatMap(({ level, severity }) => {
      const rows = features
        .map((f, i) => ({ feature: f.feature, value: valueAt(i, drift), level: f.levels[level] }))
        .filter((r) => r.value >= r.level);
      if (rows.length === 0) return [];
      return [
        {
          model: model.name,
          severity,
          labels,
          value: rows.length,
          ruleLabels: { level },
          annotations: { description: featureDescription(model, level, labels, rows.length, rows) },
        },
      ];
    });
  const up = forMin + 10;
  const gap = 5 + Math.ceil(windowMin / 2);
  return [
    {
      name: `${model.name} feature drift: two features past critical, one past warning, one alert per level`,
      input: input(true),
      evalTime,
      expect: [{ alertname: featureSpec.name, alerts: expected(true) }],
    },
    {
      name: `${model.name} feature drift: every feature under its warning level`,
      input: input(false),
      evalTime,
      expect: [{ alertname: featureSpec.name, alerts: [] }],
    },
    {
      // past the 5m lookback (the value is gone) and within keep_firing_for
      name: `${model.name} feature drift: a traffic dip does not resolve a firing alert`,
      input: input(true, (v) => `${num(v)}+0x${up} _x${gap}`),
      evalTime: `${up + gap}m`,
      expect: [{ alertname: featureSpec.name, alerts: expected(true) }],
    },
  ];
}

/** One pod past critical, another quiet: one alert per level with the worst pod's value. */
function predictionScenarios(model: ModelConfig): Scenario[] {
  const t = driftTiming(model);
  const forMin = (parseDuration(t.for) ?? 0) / 60_000;
  const samples = forMin + 25;
  const labels = { model: model.name, model_version: model.version, window: t.window };
  const pod = (p: string, stat: number) => [
    {
      series: sel(POD_STAT[model.drift.statistic], { ...labels, pod: p }),
      values: `${num(stat)}+0x${samples}`,
    },
    ...(["warning", "critical"] as const).map((level) => ({
      series: sel(M.predictionLevel, { ...labels, pod: p, level, statistic: model.drift.statistic }),
      values: `${num(LEVELS[level])}+0x${samples}`,
    })),
  ];
  const scenario = (name: string, a: number, b: number): Scenario => {
    const worst = Math.max(a, b);
    return {
      name: `${model.name} prediction drift: ${name}`,
      input: [...pod("a", a), ...pod("b", b)],
      evalTime: `${forMin + 15}m`,
      expect: [
        {
          alertname: predictionSpec.name,
          alerts: policyLevels(model, predictionSpec)
            .filter(({ level }) => worst >= LEVELS[level])
            .map(({ level, severity }) => ({
              model: model.name,
              severity,
              labels,
              value: worst,
              ruleLabels: { level },
            })),
        },
      ],
    };
  };
  return [
    scenario("one pod past critical", LEVELS.critical * 2, LEVELS.warning / 2),
    scenario("one pod between the levels", (LEVELS.warning + LEVELS.critical) / 2, LEVELS.warning / 2),
    scenario("every pod under warning", LEVELS.warning / 2, LEVELS.warning / 4),
  ];
}

function trafficScenarios(model: ModelConfig): Scenario[] {
  const t = driftTiming(model);
  const windowMin = (parseDuration(t.window) ?? 0) / 60_000;
  const forMin = (parseDuration(t.for) ?? 0) / 60_000;
  const minutes = windowMin + forMin + 5;
  const perMinute = (n: number) => [
    { series: sel(M.events, { model: model.name, source: "tap" }), values: `0+${n}x${minutes}` },
  ];
  // fewer than min_samples per window, then comfortably more
  const low = Math.max(0, Math.floor((model.minSamples - 1) / windowMin / 2));
  const high = Math.ceil((model.minSamples * 2) / windowMin);
  const labels = { model: model.name, window: t.window };
  return [
    {
      name: `${model.name}: too little traffic to judge drift`,
      input: perMinute(low),
      evalTime: `${minutes}m`,
      expect: [
        {
          alertname: trafficSpec.name,
          alerts: [{ model: model.name, severity: SEVERITY.info, labels, value: low * windowMin }],
        },
      ],
    },
    {
      name: `${model.name}: enough traffic to judge drift`,
      input: perMinute(high),
      evalTime: `${minutes}m`,
      expect: [{ alertname: trafficSpec.name, alerts: [] }],
    },
  ];
}

export const driftAlerts: AlertConcern = (models) => {
  const rules: AlertingRule[] = [];
  const scenarios: Scenario[] = [];
  for (const model of models) {
    if (model.features.length > 0) {
      rules.push(...featureRules(model), trafficRule(model));
      scenarios.push(...featureScenarios(model), ...trafficScenarios(model));
    }
    rules.push(...predictionRules(model));
    scenarios.push(...predictionScenarios(model));
  }
  const used: AlertSpec[] = models.some((m) => m.features.length > 0) ? [featureSpec, trafficSpec] : [];
  return { file: "drift", group: groupName("drift"), rules, specs: [...used, predictionSpec], scenarios };
};
