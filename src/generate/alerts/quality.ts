// Model quality once labels arrive: accuracy (classification) or MAE (regression) past the
// configured thresholds, on the model's longest window.
import { parseDuration } from "../../config/duration.js";
import { ALERT_PREFIX, groupName, LOG_SELECTOR } from "../conventions.js";
import { M, sel } from "../promql.js";
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
