// The drift alerts' documentation: summary and runbook of InfermonFeatureDrift (one alert per model
// and level, naming the drifted features), InfermonPredictionDrift and
// InfermonDriftInsufficientTraffic. Rules and scenarios: drift.ts.
import { ALERT_PREFIX, LOG_SELECTOR } from "../conventions.js";
import { FLEET_RECORD } from "../fleetDrift.js";
import { M } from "../promql.js";
import type { AlertSpec } from "./types.js";

const TIMING_TEXT =
  "for `for` (a quarter of the window unless `drift.for` says otherwise); once firing it keeps firing through a window-long gap in the value (a traffic dip below `min_samples`)";

const LEVELS_TEXT =
  "The levels are, per feature, the configured `drift.thresholds`; or with `drift.expected_rate` the 99th (warning) and 99.9th (critical) percentiles of the statistic on windows of the expected size drawn from the reference (learned by `infermon baseline`); or, by default, the same percentiles of the statistic's null distribution at the window's actual number of observations (recorded as `" +
  FLEET_RECORD.level +
  "`; docs/adr/0014-sample-size-levels.md).";

/** One selector of a model's fleet series for the alert's namespace and version (templated). */
const fleet = (metric: string, extra = "") =>
  `${metric}{model="<model>",namespace="{{ $labels.namespace }}",model_version="{{ $labels.model_version }}"${extra}}`;

export const featureSpec: AlertSpec = {
  name: `${ALERT_PREFIX}FeatureDrift`,
  concern: "input_drift",
  summary: "Input features of the model have drifted from the reference.",
  description: "",
  dashboard: "drift",
  runbook: {
    meaning: `One alert per model and level: the model's drift statistic (\`drift.statistic\`, default the Jensen–Shannon distance; label \`statistic\`) of at least one input feature, across all the model's replicas (the fleet recording rules, merged bin counters) and over the model's longest window, is at or above its warning (\`level="warning"\`) or critical (\`level="critical"\`) level ${TIMING_TEXT}. The value is the number of drifted features; the description names the top five with their values and levels. ${LEVELS_TEXT} The other statistics are on the Drift dashboard and in the queries below; they do not alert.`,
    impact:
      "The model is scoring inputs unlike those it was trained on; its predictions may be less accurate. Input drift is a ticket by default (`alerting.severity.input_drift`): accuracy, SLO and, without labels, prediction drift alerts page when the shift hurts.",
    diagnosis: [
      "Read the drifted features in the alert's description; open the Drift dashboard for the model and compare reference and current bin proportions of the top ones.",
      'The "Which pods" panel shows the per-pod values: one pod alone usually means one client or one zone sends different traffic; all pods means the population changed.',
      "Many features at once usually means an upstream pipeline change; one feature, a data source change. Check data quality (missing and unseen-category rates) of the same features: a broken upstream often shows as drift plus missing values.",
      "Look for a deploy of the model or of the feature pipeline at the start of the drift.",
    ],
    promql: [
      `sort_desc(${fleet(FLEET_RECORD.js, ',window="{{ $labels.window }}"')})`,
      `${fleet(FLEET_RECORD.level, ',window="{{ $labels.window }}"')}`,
      `sort_desc(${fleet(FLEET_RECORD.psi, ',window="{{ $labels.window }}"')})`,
      `sort_desc(${fleet(FLEET_RECORD.kl, ',window="{{ $labels.window }}"')})`,
      `sum by (feature, bin) (${fleet(FLEET_RECORD.currentRaw, ',window="{{ $labels.window }}"')})`,
      `max by (feature, bin) (${fleet(M.referenceRatio)})`,
      `${fleet(FLEET_RECORD.observations, ',window="{{ $labels.window }}"')}`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
    mitigation: [
      "If an upstream change broke features (units, encoding, a renamed category), fix or roll back the upstream.",
      "If the population really changed, evaluate the model on recent labelled data and retrain; then rebuild the reference profile with `infermon baseline` and redeploy the config.",
      "If a feature drifts by design (a date, an id-like value), drop it from `features` or give it fixed `drift.thresholds`; do not silence indefinitely.",
    ],
  },
};

export const predictionSpec: AlertSpec = {
  name: `${ALERT_PREFIX}PredictionDrift`,
  concern: "prediction_drift",
  summary: "The distribution of the model's predictions has drifted from the reference.",
  description: "",
  dashboard: "predictions",
  runbook: {
    meaning: `The model's drift statistic between the live distribution of predictions (scores, classes or values) and the reference, over the model's longest window, is at or above its level on at least one pod (the agent exports the prediction's drift per pod only, with its levels: \`${M.predictionLevel}\`, fixed or at the pod's own sample size), ${TIMING_TEXT}. It pages by default for a model without labels (no quality alert can say whether the shift hurts), and is a ticket for a model with labels (\`alerting.severity.prediction_drift\`).`,
    impact:
      "The model's output has shifted: downstream decisions (approval rates, prices) change even if inputs look stable. Often the first visible sign of concept drift or of a broken feature.",
    diagnosis: [
      "Open the Predictions dashboard: compare the score heatmap, class share or value quantiles before and after the change.",
      "Open the Drift dashboard: look for input features drifting at the same time.",
      "Check for a new model version (`model_version` label) rolled out at the start.",
    ],
    promql: [
      `${M.predictionJs}{model="<model>",namespace="{{ $labels.namespace }}",window="{{ $labels.window }}"}`,
      `${M.predictionLevel}{model="<model>",namespace="{{ $labels.namespace }}",window="{{ $labels.window }}"}`,
      `sum by (class) (rate(${M.predictions}{model="<model>"}[1h]))`,
      `histogram_quantile(0.5, sum by (le) (rate(${M.predictionScore}_bucket{model="<model>"}[1h])))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
    mitigation: [
      "If a new model version causes it, compare with the previous version and roll back if the shift is unintended.",
      "If inputs drifted, follow the InfermonFeatureDrift runbook.",
      "If the shift is expected (a new population), rebuild the reference profile with `infermon baseline`.",
    ],
  },
};

export const trafficSpec: AlertSpec = {
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
      `sum by (namespace, model) (rate(${M.events}{model="<model>",namespace="{{ $labels.namespace }}"}[1h])) * 3600`,
      `sum by (instance, reason) (rate(${M.dropped}{namespace="{{ $labels.namespace }}"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | level >= 40`],
    mitigation: [
      "If traffic is low by nature, lower `min_samples` or lengthen the longest window so a window holds enough events (default levels follow the window's size, so a smaller window does not page more).",
      "If the agent stopped seeing traffic, follow the agent alerts (InfermonAgentDown, InfermonEventsDropped).",
    ],
  },
};
