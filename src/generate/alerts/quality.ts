// Model quality once labels arrive: accuracy (classification) or MAE (regression) past the
// configured thresholds, on the model's longest window; and before they arrive, the accuracy
// estimated from the calibrated scores (CBPE) past the same thresholds, while the window has no
// realized accuracy (labels missing or late).
import { parseDuration } from "../../config/duration.js";
import { ALERT_PREFIX, groupName, LOG_SELECTOR } from "../conventions.js";
import { M, num, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { levelRules, levelScenarios, type ScenarioTiming } from "./levels.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { longestWindow } from "./types.js";

/** `for:` of the quality alerts unless `quality.for` says otherwise */
const FOR = "30m";

const diagnosis = [
  "The gauge is per pod: each agent joins the labels that reach it and computes its own window, so the alert carries the pod's `instance` (and `pod`, `namespace`). Compare that pod with the fleet (the second and third queries below): one pod alone usually means the traffic or the labels reaching it differ.",
  "Check label coverage first (the label-coverage query: labelled joins per event in the window) — few labels make the metric noisy.",
  "Check label delay: labels that arrive late describe old predictions.",
  "Open the Drift dashboard: input or prediction drift usually precedes a quality drop.",
  "Check whether a new `model_version` rolled out when the drop started.",
];

const accuracySpec: AlertSpec = {
  name: `${ALERT_PREFIX}ModelAccuracyLow`,
  concern: "model_quality",
  summary: "Model accuracy on labelled predictions is below its threshold.",
  description: "",
  dashboard: "quality",
  runbook: {
    meaning: `The share of labelled predictions that were correct, over the model's longest window, is below the configured threshold for \`quality.for\` (default ${FOR}), on one pod: \`${M.accuracy}\` is computed by each agent on the labels joined there (by label arrival time), so one alert fires per pod below the level.`,
    impact: "Decisions taken from the model's predictions are wrong more often than the business accepted.",
    diagnosis,
    promql: [
      `${M.accuracy}{model="<model>",instance="{{ $labels.instance }}",window="{{ $labels.window }}"}`,
      `${M.accuracy}{model="<model>",window="{{ $labels.window }}"}`,
      `sum by (model) (increase(${M.labeled}{model="<model>",result="correct"}[{{ $labels.window }}])) / sum by (model) (increase(${M.labeled}{model="<model>"}[{{ $labels.window }}]))`,
      `${M.windowLabeled}{model="<model>",window="{{ $labels.window }}"} / ${M.windowSamples}{model="<model>",window="{{ $labels.window }}"}`,
      `sum by (outcome) (rate(${M.labels}{model="<model>"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
    mitigation: [
      "If a new model version caused it, roll back to the previous version.",
      "If the inputs drifted, retrain on recent labelled data and rebuild the reference profile.",
      "If labels are wrong or partial (a broken label pipeline), fix the label source; the metric recovers as correct labels arrive.",
    ],
  },
};

const maeSpec: AlertSpec = {
  name: `${ALERT_PREFIX}ModelErrorHigh`,
  concern: "model_quality",
  summary: "Model mean absolute error on labelled predictions is above its threshold.",
  description: "",
  dashboard: "quality",
  runbook: {
    meaning: `The mean absolute error of labelled predictions, over the model's longest window, is above the configured threshold for \`quality.for\` (default ${FOR}).`,
    impact: "Predicted values are further from the truth than the business accepted.",
    diagnosis,
    promql: [
      `${M.mae}{model="<model>",instance="{{ $labels.instance }}",window="{{ $labels.window }}"}`,
      `${M.rmse}{model="<model>",window="{{ $labels.window }}"}`,
      `${M.windowLabeled}{model="<model>",window="{{ $labels.window }}"} / ${M.windowSamples}{model="<model>",window="{{ $labels.window }}"}`,
      `sum by (outcome) (rate(${M.labels}{model="<model>"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
    mitigation: [
      "If a new model version caused it, roll back to the previous version.",
      "If the inputs drifted, retrain on recent labelled data and rebuild the reference profile.",
      "If RMSE rose much more than MAE, look for a few extreme errors (outliers, unit mistakes upstream).",
    ],
  },
};

// the estimate of the same symptom, for the time before labels: the model_quality concern's
// urgency (alerting.severity.model_quality), like the realized accuracy it stands in for
const estimatedSpec: AlertSpec = {
  name: `${ALERT_PREFIX}ModelEstimatedAccuracyLow`,
  concern: "model_quality",
  summary:
    "Model accuracy estimated from its scores is below its threshold while labels are missing or late.",
  description: "",
  dashboard: "quality",
  runbook: {
    meaning: `The accuracy of the model's recent predictions estimated from their calibrated scores (CBPE: each prediction is right with the probability the reference's calibration gives its score), over the model's longest window, is below the configured accuracy threshold for \`quality.for\` (default ${FOR}), and the window holds too few labelled predictions for a realized accuracy (labels missing or late). Once \`min_samples\` labels arrive in the window, the realized accuracy (InfermonModelAccuracyLow) takes over. Like every window value it is per pod.`,
    impact:
      "If the estimate holds, decisions taken from the model's predictions are wrong more often than the business accepted — now, before labels can confirm it. The estimate sees shifts in the inputs and scores (covariate shift); it cannot see a change in what the scores mean (concept drift), so a good estimate is no all-clear.",
    diagnosis: [
      "Open the Quality dashboard: the estimated accuracy sits next to the realized one, with ± 2 standard-error bands; a drop outside the band is more than sampling noise.",
      "Check the estimate's track record: `infermon_model_estimation_error` (estimated minus realized on labelled predictions) near 0 means the calibration still holds.",
      "Open the Drift dashboard: which inputs and how the score distribution moved (prediction drift usually comes with an estimated drop).",
      "Check whether labels are merely late (label delay, labels by outcome) or not arriving at all (InfermonLabelsNotArriving).",
      "Check whether a new `model_version` rolled out when the drop started.",
    ],
    promql: [
      `${M.estimatedAccuracy}{model="<model>"}`,
      `${M.estimatedAccuracy}_stderr{model="<model>"}`,
      `${M.estimationError}{model="<model>"}`,
      `${M.windowLabeled}{model="<model>"}`,
      `sum by (outcome) (rate(${M.labels}{model="<model>"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>"`],
    mitigation: [
      "If a new model version caused it, roll back to the previous version.",
      "If the inputs drifted towards cases the model is unsure about, retrain on recent data (labels when they come) and rebuild the reference profile with `labels.target`.",
      "If the estimation error had drifted away from 0 before, the calibration is stale: rebuild the profile from recent labelled data before trusting the estimate.",
    ],
  },
};

export const qualityAlerts: AlertConcern = (models) => {
  const rules: AlertingRule[] = [];
  const scenarios: Scenario[] = [];
  const used = new Set<AlertSpec>();
  for (const model of models) {
    const window = longestWindow(model);
    const labels = { model: model.name, model_version: model.version, window };
    const { accuracy, mae } = model.quality;
    const forDuration = model.quality.for ?? FOR;
    // the scenarios run past the `for` (the default 30m: evaluated at 30m with 40 samples, as before)
    const forMin = Math.ceil((parseDuration(forDuration) ?? 0) / 60_000);
    const timing: ScenarioTiming = {
      evalTime: `${Math.max(30, forMin + 15)}m`,
      samples: Math.max(40, forMin + 25),
    };
    if (accuracy && model.task !== "regression") {
      used.add(accuracySpec);
      const s = sel(M.accuracy, { model: model.name, window });
      rules.push(
        ...levelRules(accuracySpec, model, s, accuracy, forDuration, {
          what: "Accuracy",
          direction: "below",
        }),
      );
      scenarios.push(
        ...levelScenarios(
          `${model.name} accuracy`,
          accuracySpec,
          model,
          M.accuracy,
          labels,
          accuracy,
          "below",
          timing,
        ),
      );
    }
    // CBPE needs the scores' calibration, which baseline learns from labels.target
    if (accuracy && model.task !== "regression" && model.labels.target !== undefined && model.reference) {
      used.add(estimatedSpec);
      const s = sel(M.estimatedAccuracy, { model: model.name, window });
      const realized = sel(M.accuracy, { model: model.name, window });
      // labels missing or late: no realized accuracy in the window (fewer than min_samples labels)
      rules.push(
        ...levelRules(estimatedSpec, model, `(${s}`, accuracy, forDuration, {
          what: "Estimated accuracy",
          direction: "below",
        }).map((r) => ({ ...r, expr: `${r.expr})\nunless on (model, model_version, window)\n${realized}` })),
      );
      scenarios.push(
        ...levelScenarios(
          `${model.name} estimated accuracy`,
          estimatedSpec,
          model,
          M.estimatedAccuracy,
          labels,
          accuracy,
          "below",
          timing,
        ),
        {
          name: `${model.name} estimated accuracy low, but labels arrived: the realized accuracy speaks`,
          input: [
            {
              series: sel(M.estimatedAccuracy, labels),
              values: `${num(accuracy.critical / 2)}+0x${timing.samples}`,
            },
            {
              series: sel(M.accuracy, labels),
              values: `${num(accuracy.warning + 0.01)}+0x${timing.samples}`,
            },
          ],
          evalTime: timing.evalTime,
          expect: [{ alertname: estimatedSpec.name, alerts: [] }],
        },
      );
    }
    if (mae && model.task === "regression") {
      used.add(maeSpec);
      rules.push(
        ...levelRules(maeSpec, model, sel(M.mae, { model: model.name, window }), mae, forDuration, {
          what: "MAE",
        }),
      );
      scenarios.push(
        ...levelScenarios(`${model.name} MAE`, maeSpec, model, M.mae, labels, mae, "above", timing),
      );
    }
  }
  if (rules.length === 0) return undefined;
  return { file: "quality", group: groupName("quality"), rules, specs: [...used], scenarios };
};
