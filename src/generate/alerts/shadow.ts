// Shadow comparison: `InfermonShadowAgreementLow` when fewer of the rows compared between the
// primary and its shadow agree than `shadow.min_agreement`, over the model's longest window, once
// that window holds min_samples compared rows (a handful of replays says nothing).
import type { ModelConfig, ShadowConfig } from "../../config/model.js";
import { LOG } from "../../export/logMessages.js";
import { ALERT_PREFIX, groupName, LOG_SELECTOR } from "../conventions.js";
import { exactIncrease } from "../fleetDrift.js";
import { num, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { topSeverity } from "../severity.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { longestWindow, modelAlert } from "./types.js";

export const SHADOW_METRIC = {
  comparisons: "infermon_shadow_comparisons_total",
  requests: "infermon_shadow_requests_total",
  duration: "infermon_shadow_request_duration_seconds",
  difference: "infermon_shadow_prediction_difference",
  dropped: "infermon_shadow_dropped_total",
  skipped: "infermon_shadow_skipped_total",
} as const;

const FOR = "15m";
const BY = "namespace, model";

export const shadowAgreementSpec: AlertSpec = {
  name: `${ALERT_PREFIX}ShadowAgreementLow`,
  concern: "shadow",
  summary: "The shadow model disagrees with the primary on too many predictions.",
  description: "",
  dashboard: "rollouts",
  runbook: {
    meaning:
      "A sampled share of the model's requests is replayed to its shadow (`models[].shadow`) after the client got the primary's answer, and the two answers are compared row by row: same class (classification), or values within `shadow.tolerance` (regression). Fewer rows than `shadow.min_agreement` agreed over the model's longest window.",
    impact:
      "No user is affected yet: the shadow serves no one. Promoting it now would change this share of the answers users get.",
    diagnosis: [
      "Open the Rollouts dashboard, Shadow row: agreement over time, the difference histogram, both sides' error rates and latency, and the shadow's prediction drift next to the primary's.",
      "Check whether the disagreement is a few large differences or a shift of every prediction (difference quantiles), and whether the shadow's predictions drifted from the reference while the primary's did not.",
      "Check skipped comparisons: a shadow answering errors or rows the primary does not is counted there, not as disagreement.",
    ],
    promql: [
      `sum by (result) (rate(${SHADOW_METRIC.comparisons}{model="<model>"}[1h]))`,
      `histogram_quantile(0.9, sum by (le) (rate(${SHADOW_METRIC.difference}_bucket{model="<model>"}[1h])))`,
      `sum by (side, code) (rate(${SHADOW_METRIC.requests}{model="<model>"}[1h]))`,
      `sum by (reason) (rate(${SHADOW_METRIC.skipped}{model="<model>"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | msg="${LOG.shadowFailed}"`],
    mitigation: [
      "Do not promote the shadow's version while it disagrees this much; compare its training data and features with the primary's.",
      "If the disagreement is expected (a deliberately different model), lower `shadow.min_agreement` to the level you accept.",
    ],
  },
};

function agreementExpr(model: ModelConfig, window: string): string {
  const c = (result: string | { re: string }) =>
    sel(SHADOW_METRIC.comparisons, { model: model.name, result });
  return `sum by (${BY}) (increase(${c("agree")}[${window}]))\n/\n(sum by (${BY}) (increase(${c({ re: "agree|disagree" })}[${window}])) > 0)`;
}

function rule(model: ModelConfig): AlertingRule {
  const s = model.shadow as ShadowConfig;
  const window = longestWindow(model);
  const compared = sel(SHADOW_METRIC.comparisons, { model: model.name, result: { re: "agree|disagree" } });
  return modelAlert(
    shadowAgreementSpec,
    model,
    topSeverity(model, shadowAgreementSpec.concern),
    `${agreementExpr(model, window)}\n< ${num(s.minAgreement)}\nand on (${BY}) sum by (${BY}) (${exactIncrease(compared, window)}) >= ${model.minSamples}`,
    FOR,
    {
      description: `Only {{ $value | humanizePercentage }} of the rows compared between model {{ $labels.model }} and its shadow agreed over the last ${window} (below ${num(s.minAgreement * 100)}%).`,
    },
  );
}

/** Agree/disagree counters rising at `agree` and `disagree` rows per minute for the scenario. */
function scenario(
  model: ModelConfig,
  name: string,
  agree: number,
  disagree: number,
  fires: boolean,
): Scenario {
  const window = model.windows.find((w) => w.name === longestWindow(model)) as { ms: number };
  const minutes = Math.round(window.ms / 60_000) + 20;
  const series = (result: string, perMinute: number) => ({
    series: sel(SHADOW_METRIC.comparisons, { model: model.name, result }),
    values: `0+${perMinute}x${minutes}`,
  });
  const value = agree / (agree + disagree);
  return {
    name: `${model.name}: ${name}`,
    input: [series("agree", agree), series("disagree", disagree), series("no_prediction", 1)],
    evalTime: `${minutes}m`,
    expect: [
      {
        alertname: shadowAgreementSpec.name,
        alerts: fires
          ? [
              {
                model: model.name,
                severity: topSeverity(model, shadowAgreementSpec.concern),
                labels: { model: model.name },
                value,
              },
            ]
          : [],
      },
    ],
  };
}

function scenarios(model: ModelConfig): Scenario[] {
  const s = model.shadow as ShadowConfig;
  const window = model.windows.find((w) => w.name === longestWindow(model)) as { ms: number };
  const perWindow = (rate: number) => rate * Math.round(window.ms / 60_000);
  // enough rows per minute for min_samples over the window; agreement under and over the level
  const n = Math.max(20, Math.ceil((2 * model.minSamples) / Math.round(window.ms / 60_000)));
  const low = Math.floor(n * s.minAgreement * 0.8);
  const high = Math.min(n, Math.ceil(n * (s.minAgreement + (1 - s.minAgreement) / 2)));
  const few = Math.max(0, Math.floor((model.minSamples - 1) / Math.round(window.ms / 60_000)));
  const out = [
    scenario(model, `${low} of ${n} rows a minute agree: below ${num(s.minAgreement)}`, low, n - low, true),
    scenario(model, `${high} of ${n} rows a minute agree: quiet`, high, n - high, false),
  ];
  if (few > 0 && perWindow(few) < model.minSamples)
    out.push(scenario(model, `fewer than min_samples rows compared: quiet`, 0, few, false));
  return out;
}

export const shadowAlerts: AlertConcern = (models) => {
  const withShadow = models.filter((m) => m.shadow);
  if (withShadow.length === 0) return undefined;
  return {
    file: "shadow",
    group: groupName("shadow"),
    rules: withShadow.map(rule),
    specs: [shadowAgreementSpec],
    scenarios: withShadow.flatMap(scenarios),
  };
};
