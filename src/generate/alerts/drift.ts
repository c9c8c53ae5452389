// Feature drift (PSI, KL, JS per feature) and prediction drift, at the configured warning and
// critical thresholds, on the model's longest window.
import { ALERT_PREFIX, groupName, LOG_SELECTOR } from "../conventions.js";
import { M, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { levelRules, levelScenarios } from "./levels.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { longestWindow } from "./types.js";

type Stat = "psi" | "kl" | "js";
const STAT: Record<Stat, { title: string; metric: string; alert: string; what: string }> = {
  psi: { title: "PSI", metric: M.featurePsi, alert: "FeatureDriftPSI", what: "population stability index" },
  kl: {
    title: "KL",
    metric: M.featureKl,
    alert: "FeatureDriftKL",
    what: "KL divergence (current ‖ reference)",
  },
  js: { title: "JS", metric: M.featureJs, alert: "FeatureDriftJS", what: "Jensen–Shannon distance" },
};
const FOR = "15m";

function featureSpec(stat: Stat): AlertSpec {
  const s = STAT[stat];
  return {
    name: `${ALERT_PREFIX}${s.alert}`,
    summary: `A feature's live distribution has drifted from the reference (${s.title}).`,
    description: "",
    dashboard: "drift",
    runbook: {
      meaning: `The ${s.what} between the live distribution of one input feature and the reference profile, over the model's longest window, is above the configured threshold for ${FOR}.`,
      impact:
        "The model is scoring inputs unlike those it was trained on; its predictions may be less accurate, and quality alerts may follow once labels arrive.",
      diagnosis: [
        "Open the Drift dashboard for the model and feature: compare reference and current bin proportions to see which bins moved.",
        "Check whether the other statistics (PSI, KL, JS) and other features moved at the same time: many features at once usually means an upstream pipeline change, one feature a data source change.",
        "Check data quality (missing and unseen-category rates) for the same feature: a broken upstream often shows as drift plus missing values.",
        "Look for a deploy of the model or of the feature pipeline at the start of the drift.",
      ],
      promql: [
        `${s.metric}{model="<model>"}`,
        `topk(5, max by (feature) (${s.metric}{model="<model>"}))`,
        `sum by (bin) (rate(${M.binObservations}{model="<model>",feature="<feature>"}[1h]))`,
        `${M.referenceRatio}{model="<model>",feature="<feature>"}`,
      ],
      logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
      mitigation: [
        "If an upstream change broke the feature (units, encoding, a renamed category), fix or roll back the upstream.",
        "If the population really changed, evaluate the model on recent labelled data and retrain; then rebuild the reference profile with `infermon baseline` and redeploy the config.",
        "If the threshold is too tight for this feature, raise `models[].drift.thresholds` in infermon.yaml and regenerate — do not silence indefinitely.",
      ],
    },
  };
}

const predictionSpec: AlertSpec = {
  name: `${ALERT_PREFIX}PredictionDrift`,
  summary: "The distribution of the model's predictions has drifted from the reference.",
  description: "",
  dashboard: "predictions",
  runbook: {
    meaning: `The PSI between the live distribution of predictions (scores, classes or values) and the reference, over the model's longest window, is above the configured threshold for ${FOR}.`,
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

export const driftAlerts: AlertConcern = (models) => {
  const rules: AlertingRule[] = [];
  const scenarios: Scenario[] = [];
  const specs = (["psi", "kl", "js"] as const).map(featureSpec);
  for (const model of models) {
    const window = longestWindow(model);
    const feature = model.features[0];
    if (feature) {
      (["psi", "kl", "js"] as const).forEach((stat, i) => {
        const spec = specs[i] as AlertSpec;
        const s = STAT[stat];
        const levels = model.drift.thresholds[stat];
        rules.push(
          ...levelRules(spec, model, sel(s.metric, { model: model.name, window }), levels, FOR, {
            what: `${s.title} of feature {{ $labels.feature }}`,
          }),
        );
        const labels = { feature: feature.name, model: model.name, model_version: model.version, window };
        scenarios.push(
          ...levelScenarios(`${model.name} ${s.title}`, spec.name, model, s.metric, labels, levels),
        );
      });
    }
    const levels = model.drift.thresholds.psi;
    rules.push(
      ...levelRules(predictionSpec, model, sel(M.predictionPsi, { model: model.name, window }), levels, FOR, {
        what: "Prediction PSI",
      }),
    );
    const labels = { model: model.name, model_version: model.version, window };
    scenarios.push(
      ...levelScenarios(
        `${model.name} prediction PSI`,
        predictionSpec.name,
        model,
        M.predictionPsi,
        labels,
        levels,
      ),
    );
  }
  return { file: "drift", group: groupName("drift"), rules, specs: [...specs, predictionSpec], scenarios };
};
