// Data quality of live inputs: share of events with a missing value, or with a category the
// reference never saw, per feature.
import type { ModelConfig } from "../../config/model.js";
import { ALERT_PREFIX, DATA_QUALITY_WARNING_RATIO, groupName, LOG_SELECTOR } from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

const FOR = "15m";
const WINDOW = "15m";

function spec(kind: "missing" | "unseen"): AlertSpec {
  const missing = kind === "missing";
  const metric = missing ? M.missing : M.unseen;
  return {
    name: `${ALERT_PREFIX}${missing ? "FeatureMissingRateHigh" : "FeatureUnseenCategoryRateHigh"}`,
    summary: missing
      ? "Many live inputs have a missing value for a feature."
      : "Many live inputs have a category the reference never saw.",
    description: `{{ $value | humanizePercentage }} of the events of model {{ $labels.model }} over the last ${WINDOW} have ${missing ? "a missing value (null, absent or NaN)" : "an unseen category"} for feature {{ $labels.feature }} (warning above ${num(DATA_QUALITY_WARNING_RATIO * 100)}%).`,
    dashboard: "drift",
    runbook: {
      meaning: missing
        ? `More than ${num(DATA_QUALITY_WARNING_RATIO * 100)}% of the events analysed in the last ${WINDOW} lack a value for one feature (null, absent or NaN), for ${FOR}. Missing values are not binned, so drift statistics ignore them.`
        : `More than ${num(DATA_QUALITY_WARNING_RATIO * 100)}% of the events analysed in the last ${WINDOW} carry a value of a categorical feature that is not among the reference's top categories, for ${FOR}. They are counted in the \`__other__\` bin.`,
      impact: missing
        ? "The model is imputing or mis-reading the feature; predictions for those requests may be poor, and drift on that feature is measured on fewer events."
        : "The model sees categories it was not trained on (a new region, a renamed product); predictions for those requests may be poor.",
      diagnosis: [
        "Open the Drift dashboard for the model and feature; the reference vs current bin panel shows the shift into `__other__` or the drop in observations.",
        "Check recent changes to the client or feature pipeline that sends this field (renamed field, new encoding).",
        "Look at a few raw requests in the logs (payload logging is off by default; enable `logging.log_payloads` briefly if allowed).",
      ],
      promql: [
        `sum by (feature) (rate(${metric}{model="<model>"}[15m])) / scalar(sum(rate(${M.events}{model="<model>"}[15m])))`,
        `sum by (source) (rate(${M.events}{model="<model>"}[15m]))`,
      ],
      logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
      mitigation: [
        "Fix the upstream that stopped sending the field or changed its encoding; roll it back if recent.",
        missing
          ? "If missing values are now expected, make sure the model handles them and raise the threshold consciously."
          : "If the new categories are real, retrain and rebuild the reference with `infermon baseline` (consider a larger `top_k`).",
      ],
    },
  };
}

function rule(s: AlertSpec, model: ModelConfig, metric: string): AlertingRule {
  const bad = sumBy(["model", "feature"], rate(sel(metric, { model: model.name }), WINDOW));
  const all = sumBy(["model"], rate(sel(M.events, { model: model.name }), WINDOW));
  return modelAlert(
    s,
    model,
    "warning",
    `${bad}\n  / on (model) group_left\n${all}\n  > ${num(DATA_QUALITY_WARNING_RATIO)}`,
    FOR,
  );
}

function scenarios(s: AlertSpec, model: ModelConfig, metric: string, feature: string): Scenario[] {
  const events = { series: sel(M.events, { model: model.name, source: "tap" }), values: "0+100x60" };
  const bad = (perMinute: number) => ({
    series: sel(metric, { model: model.name, model_version: model.version, feature }),
    values: `0+${perMinute}x60`,
  });
  return [
    {
      name: `${model.name} ${s.name}: 10% of events`,
      input: [events, bad(10)],
      evalTime: "40m",
      expect: [
        {
          alertname: s.name,
          alerts: [
            { model: model.name, severity: "warning", labels: { model: model.name, feature }, value: 0.1 },
          ],
        },
      ],
    },
    {
      name: `${model.name} ${s.name}: 1% of events`,
      input: [events, bad(1)],
      evalTime: "40m",
      expect: [{ alertname: s.name, alerts: [] }],
    },
  ];
}

export const dataQualityAlerts: AlertConcern = (models) => {
  const missing = spec("missing");
  const unseen = spec("unseen");
  const rules: AlertingRule[] = [];
  const out: Scenario[] = [];
  let anyCategorical = false;
  for (const model of models) {
    const first = model.features[0];
    if (!first) continue;
    rules.push(rule(missing, model, M.missing));
    out.push(...scenarios(missing, model, M.missing, first.name));
    const categorical = model.features.find((f) => f.type === "categorical");
    if (categorical) {
      anyCategorical = true;
      rules.push(rule(unseen, model, M.unseen));
      out.push(...scenarios(unseen, model, M.unseen, categorical.name));
    }
  }
  if (rules.length === 0) return undefined;
  return {
    file: "data-quality",
    group: groupName("data-quality"),
    rules,
    specs: anyCategorical ? [missing, unseen] : [missing],
    scenarios: out,
  };
};
