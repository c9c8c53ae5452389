// Feature drift (PSI, KL, JS per feature) on the fleet recording rules (fleetDrift.ts): one alert
// per model × feature × statistic whatever the replica count, gated on the fleet's events. Levels
// are the configured ones, or with `drift.thresholds: auto` the ones learned per feature from the
// reference. `for:` follows the window; keep_firing_for holds a standing alert through a traffic
// dip (the recorded value disappears below min_samples), and an info alert says when there is
// too little traffic to judge. Prediction drift stays per pod (the agent exports no mergeable
// prediction bins), one alert per model (max over pods) at the configured levels.
import { formatDuration, parseDuration } from "../../config/duration.js";
import type { ModelConfig, Statistic } from "../../config/model.js";
import { ALERT_PREFIX, groupName, LOG_SELECTOR, SEVERITY } from "../conventions.js";
import { exactIncrease, FLEET_RECORD } from "../fleetDrift.js";
import { M, num, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { levelRules, levelScenarios, policyLevels, type ScenarioTiming } from "./levels.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { longestWindow, modelAlert } from "./types.js";

const STATS: readonly Statistic[] = ["psi", "kl", "js"];
const STAT: Record<Statistic, { title: string; metric: string; alert: string; what: string }> = {
  psi: {
    title: "PSI",
    metric: FLEET_RECORD.psi,
    alert: "FeatureDriftPSI",
    what: "population stability index",
  },
  kl: {
    title: "KL",
    metric: FLEET_RECORD.kl,
    alert: "FeatureDriftKL",
    what: "KL divergence (current ‖ reference)",
  },
  js: { title: "JS", metric: FLEET_RECORD.js, alert: "FeatureDriftJS", what: "Jensen–Shannon distance" },
};

/** The window drift alerts read and their timing: `for` = window / 4 (at least 1m) unless configured. */
export function driftTiming(model: ModelConfig): { window: string; for: string; keepFiringFor: string } {
  const window = longestWindow(model);
  const ms = parseDuration(window) ?? 3_600_000;
  const derived = formatDuration(Math.max(60_000, Math.round(ms / 4 / 60_000) * 60_000));
  // keep firing for one window: a dip below min_samples lasts until a window's worth of traffic is back
  return { window, for: model.drift.for ?? derived, keepFiringFor: window };
}

const TIMING_TEXT =
  "for `for` (a quarter of the window unless `drift.for` says otherwise); once firing it keeps firing through a window-long gap in the value (a traffic dip below `min_samples`)";

function featureSpec(stat: Statistic): AlertSpec {
  const s = STAT[stat];
  return {
    name: `${ALERT_PREFIX}${s.alert}`,
    concern: "input_drift",
    summary: `A feature's live distribution has drifted from the reference (${s.title}).`,
    description: "",
    dashboard: "drift",
    runbook: {
      meaning: `The ${s.what} between the live distribution of one input feature across all the model's replicas (the fleet recording rule \`${s.metric}\`, merged bin counters) and the reference profile, over the model's longest window, is above the threshold ${TIMING_TEXT}. Thresholds are the configured ones, or with \`drift.thresholds: auto\` the 99th (warning) and 99.9th (critical) percentiles of the statistic on windows of the expected size drawn from the reference.`,
      impact:
        "The model is scoring inputs unlike those it was trained on; its predictions may be less accurate, and quality alerts may follow once labels arrive.",
      diagnosis: [
        "Open the Drift dashboard for the model and the alert's feature: compare reference and current bin proportions to see which bins moved.",
        'The "Which pods" panel shows the per-pod values: one pod alone usually means one client or one zone sends different traffic; all pods means the population changed.',
        "Check whether the other statistics (PSI, KL, JS) and other features moved at the same time: many features at once usually means an upstream pipeline change, one feature a data source change.",
        "Check data quality (missing and unseen-category rates) for the same feature: a broken upstream often shows as drift plus missing values.",
        "Look for a deploy of the model or of the feature pipeline at the start of the drift.",
      ],
      promql: [
        `topk(5, ${s.metric}{model="<model>"})`,
        `sum by (feature, bin) (${FLEET_RECORD.currentRaw}{model="<model>"})`,
        `max by (feature, bin) (${M.referenceRatio}{model="<model>"})`,
        `${FLEET_RECORD.observations}{model="<model>"}`,
      ],
      logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
      mitigation: [
        "If an upstream change broke the feature (units, encoding, a renamed category), fix or roll back the upstream.",
        "If the population really changed, evaluate the model on recent labelled data and retrain; then rebuild the reference profile with `infermon baseline` and redeploy the config.",
        "If the threshold is too tight for this feature, set `models[].drift.thresholds` (or `auto` with the model's real `expected_rate`) in infermon.yaml and regenerate — do not silence indefinitely.",
      ],
    },
  };
}

const predictionSpec: AlertSpec = {
  name: `${ALERT_PREFIX}PredictionDrift`,
  concern: "prediction_drift",
  summary: "The distribution of the model's predictions has drifted from the reference.",
  description: "",
  dashboard: "predictions",
  runbook: {
    meaning: `The PSI between the live distribution of predictions (scores, classes or values) and the reference, over the model's longest window, is above the configured threshold on at least one pod (the agent exports the prediction's drift per pod only), ${TIMING_TEXT}.`,
    impact:
      "The model's output has shifted: downstream decisions (approval rates, prices) change even if inputs look stable. Often the first visible sign of concept drift or of a broken feature.",
    diagnosis: [
      "Open the Predictions dashboard: compare the score heatmap, class share or value quantiles before and after the change.",
      "Open the Drift dashboard: look for input features drifting at the same time.",
      "Check for a new model version (`model_version` label) rolled out at the start.",
    ],
    promql: [
      `${M.predictionPsi}{model="<model>"}`,
      `sum by (class) (rate(${M.predictions}{model="<model>"}[1h]))`,
      `histogram_quantile(0.5, sum by (le) (rate(${M.predictionScore}_bucket{model="<model>"}[1h])))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>"`],
    mitigation: [
      "If a new model version causes it, compare with the previous version and roll back if the shift is unintended.",
      "If inputs drifted, follow the feature drift runbooks.",
      "If the shift is expected (a new population), rebuild the reference profile with `infermon baseline`.",
    ],
  },
};

const trafficSpec: AlertSpec = {
  name: `${ALERT_PREFIX}DriftInsufficientTraffic`,
  concern: "input_drift",
  summary: "Too little traffic to judge drift.",
  description: "",
  dashboard: "drift",
  runbook: {
    meaning:
      "Across all replicas, the model analysed fewer events over its longest window than `min_samples`: no drift value is recorded, so drift alerts can neither fire nor resolve. A standing drift alert keeps firing for one window (keep_firing_for); past that, silence here means nothing is judged, not that the data is fine.",
    impact:
      "Drift of this model goes unnoticed while traffic stays low. Nothing is wrong with the model's answers because of this alert.",
    diagnosis: [
      "Open the Drift dashboard: the fleet observations panel shows the events per window against min_samples.",
      "Check whether traffic really dropped (a quiet period, a client moved away) or the agent stopped seeing it (tap bypassed, ingest failing, events dropped).",
    ],
    promql: [
      `sum by (model) (rate(${M.events}{model="<model>"}[1h])) * 3600`,
      `sum by (reason) (rate(${M.dropped}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | level >= 40`],
    mitigation: [
      "If traffic is low by nature, lower `min_samples` or lengthen the longest window so a window holds enough events (and set `drift.expected_rate` to the real rate with `thresholds: auto`).",
      "If the agent stopped seeing traffic, follow the agent alerts (InfermonAgentDown, InfermonEventsDropped).",
    ],
  },
};

/** Fixed levels: one rule pair per statistic; learned levels: one pair per feature. */
function statRules(model: ModelConfig, stat: Statistic, spec: AlertSpec): AlertingRule[] {
  const t = driftTiming(model);
  const s = STAT[stat];
  const base = { model: model.name, window: t.window };
  const opts = { what: `${s.title} of feature {{ $labels.feature }}`, keepFiringFor: t.keepFiringFor };
  const learned = model.drift.auto ? model.drift.learned?.[t.window] : undefined;
  if (!learned)
    return levelRules(spec, model, sel(s.metric, base), model.drift.thresholds[stat], t.for, opts);
  return model.features.flatMap((f) => {
    const levels = learned[f.name]?.[stat] ?? model.drift.thresholds[stat];
    return levelRules(spec, model, sel(s.metric, { ...base, feature: f.name }), levels, t.for, {
      ...opts,
      labels: { feature: f.name },
    });
  });
}

/** Drifted for a while, then the value disappears (traffic dip): still firing within keep_firing_for. */
function dipScenario(
  model: ModelConfig,
  spec: AlertSpec,
  labels: Record<string, string>,
  value: number,
): Scenario {
  const t = driftTiming(model);
  const forMin = (parseDuration(t.for) ?? 0) / 60_000;
  const windowMin = (parseDuration(t.window) ?? 0) / 60_000;
  const up = forMin + 10;
  // past the 5m lookback (the value is gone) and within keep_firing_for
  const gap = 5 + Math.ceil(windowMin / 2);
  return {
    name: `${model.name} PSI: a traffic dip does not resolve a firing alert`,
    input: [{ series: sel(STAT.psi.metric, labels), values: `${num(value)}+0x${up} _x${gap}` }],
    evalTime: `${up + gap}m`,
    expect: [
      {
        alertname: spec.name,
        alerts: policyLevels(model, spec).map(({ severity }) => ({
          model: model.name,
          severity,
          labels,
          value,
          ...(model.drift.auto &&
            model.drift.learned && { ruleLabels: { feature: labels.feature as string } }),
        })),
      },
    ],
  };
}

/** Per-feature rules (learned levels): every feature past its critical level fires both of its rules. */
function allFeaturesScenario(
  model: ModelConfig,
  stat: Statistic,
  spec: AlertSpec,
  timing: ScenarioTiming,
): Scenario {
  const t = driftTiming(model);
  const learned = model.drift.learned?.[t.window] ?? {};
  const rows = model.features.map((f) => {
    const levels = learned[f.name]?.[stat] ?? model.drift.thresholds[stat];
    const labels = { feature: f.name, model: model.name, model_version: model.version, window: t.window };
    return { f: f.name, labels, value: Number((levels.critical * 2).toPrecision(4)) };
  });
  return {
    name: `${model.name} ${STAT[stat].title}: every feature past its own critical level`,
    input: rows.map((r) => ({
      series: sel(STAT[stat].metric, r.labels),
      values: `${num(r.value)}+0x${timing.samples}`,
    })),
    evalTime: timing.evalTime,
    expect: [
      {
        alertname: spec.name,
        alerts: rows.flatMap((r) =>
          policyLevels(model, spec).map(({ severity }) => ({
            model: model.name,
            severity,
            labels: r.labels,
            value: r.value,
            ruleLabels: { feature: r.f },
          })),
        ),
      },
    ],
  };
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
  const specs = STATS.map(featureSpec);
  for (const model of models) {
    const t = driftTiming(model);
    const forMin = (parseDuration(t.for) ?? 0) / 60_000;
    const timing: ScenarioTiming = { evalTime: `${forMin + 15}m`, samples: forMin + 25 };
    const perFeature = model.drift.auto && model.drift.learned !== undefined;
    const feature = model.features[0];
    if (feature) {
      STATS.forEach((stat, i) => {
        const spec = specs[i] as AlertSpec;
        rules.push(...statRules(model, stat, spec));
        const learned = model.drift.auto ? model.drift.learned?.[t.window]?.[feature.name] : undefined;
        const levels = learned?.[stat] ?? model.drift.thresholds[stat];
        const labels = {
          feature: feature.name,
          model: model.name,
          model_version: model.version,
          window: t.window,
        };
        scenarios.push(
          ...levelScenarios(
            `${model.name} ${STAT[stat].title}`,
            spec,
            model,
            STAT[stat].metric,
            labels,
            levels,
            "above",
            perFeature ? { ...timing, ruleLabels: { feature: feature.name } } : timing,
          ),
        );
        if (stat === "psi") scenarios.push(dipScenario(model, spec, labels, levels.critical * 2));
        if (perFeature) scenarios.push(allFeaturesScenario(model, stat, spec, timing));
      });
      rules.push(trafficRule(model));
      scenarios.push(...trafficScenarios(model));
    }
    const levels = model.drift.thresholds.psi;
    const perPod = `max by (namespace, model, model_version, window) (${sel(M.predictionPsi, { model: model.name, window: t.window })})`;
    rules.push(
      ...levelRules(predictionSpec, model, perPod, levels, t.for, {
        what: "Prediction PSI",
        keepFiringFor: t.keepFiringFor,
      }),
    );
    const labels = { model: model.name, model_version: model.version, window: t.window };
    scenarios.push(
      ...levelScenarios(
        `${model.name} prediction PSI`,
        predictionSpec,
        model,
        M.predictionPsi,
        labels,
        levels,
        "above",
        timing,
      ),
    );
  }
  const used = models.some((m) => m.features.length > 0) ? [...specs, trafficSpec] : [];
  return { file: "drift", group: groupName("drift"), rules, specs: [...used, predictionSpec], scenarios };
};
