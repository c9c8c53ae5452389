// Data quality of live inputs: share of events with a missing value, an invalid value, or a
// category the reference never saw, per feature, against the model's `data_quality` shares —
// the same shares `infermon drift` judges a data file by, so the CI gate and the pages agree.
import type { DataQuality, Levels, ModelConfig } from "../../config/model.js";
import {
  ALERT_PREFIX,
  DATA_QUALITY_FOR,
  DATA_QUALITY_WINDOW,
  groupName,
  LOG_SELECTOR,
} from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import type { RuleLevel } from "../severity.js";
import { policyLevels } from "./levels.js";
import type { AlertConcern, AlertSpec, ExpectedAlert, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

type Kind = keyof DataQuality;

const WINDOW = DATA_QUALITY_WINDOW;
const FOR = DATA_QUALITY_FOR;

const NAME: Record<Kind, string> = {
  missing: "FeatureMissingRateHigh",
  invalid: "FeatureInvalidRateHigh",
  unseen: "FeatureUnseenCategoryRateHigh",
};
const METRIC: Record<Kind, string> = { missing: M.missing, invalid: M.invalid, unseen: M.unseen };
const WHAT: Record<Kind, string> = {
  missing: "a missing value (null, absent or an NA marker)",
  invalid: "an invalid value (not a finite number for a numeric feature: text, 1e309, inf, NaN)",
  unseen: "an unseen category",
};

function spec(kind: Kind): AlertSpec {
  const share = `the model's \`data_quality.${kind}\` share (default warning 5 %, critical 20 %)`;
  return {
    name: `${ALERT_PREFIX}${NAME[kind]}`,
    concern: "data_quality",
    summary:
      kind === "missing"
        ? "Many live inputs have a missing value for a feature."
        : kind === "invalid"
          ? "Many live inputs have an invalid value for a feature."
          : "Many live inputs have a category the reference never saw.",
    description: `{{ $value | humanizePercentage }} of the events of model {{ $labels.model }} over the last ${WINDOW} have ${WHAT[kind]} for feature {{ $labels.feature }}.`,
    dashboard: "drift",
    runbook: {
      meaning:
        kind === "unseen"
          ? `More of the events analysed in the last ${WINDOW} than ${share} carry a value of a categorical feature that is not among the reference's top categories, for ${FOR}. They are counted in the \`__other__\` bin. \`infermon drift\` marks a data file past the same share with the same level.`
          : `More of the events analysed in the last ${WINDOW} than ${share} have ${WHAT[kind]} for one feature, for ${FOR}. Such values are not binned, so drift statistics ignore them; \`infermon drift\` marks a data file past the same share with the same level.`,
      impact:
        kind === "unseen"
          ? "The model sees categories it was not trained on (a new region, a renamed product); predictions for those requests may be poor."
          : "The model is imputing or mis-reading the feature; predictions for those requests may be poor, and drift on that feature is measured on fewer events.",
      diagnosis: [
        "Open the Drift dashboard for the model and feature; the reference vs current bin panel shows the shift into `__other__` or the drop in observations.",
        "Check recent changes to the client or feature pipeline that sends this field (renamed field, new encoding, values moved under a nested object).",
        "Look at a few raw requests in the logs (payload logging is off by default; enable `logging.log_payloads` briefly if allowed).",
      ],
      promql: [
        `sum by (feature) (rate(${METRIC[kind]}{model="<model>",feature="{{ $labels.feature }}"}[${WINDOW}])) / scalar(sum(rate(${M.events}{model="<model>"}[${WINDOW}])))`,
        `sum by (feature) (rate(${METRIC[kind]}{model="<model>"}[${WINDOW}])) / scalar(sum(rate(${M.events}{model="<model>"}[${WINDOW}])))`,
        `sum by (source) (rate(${M.events}{model="<model>"}[${WINDOW}]))`,
      ],
      logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
      mitigation: [
        "Fix the upstream that stopped sending the field or changed its encoding; roll it back if recent.",
        kind === "unseen"
          ? "If the new categories are real, retrain and rebuild the reference with `infermon baseline` (consider a larger `top_k`)."
          : `If such values are now expected, make sure the model handles them and raise \`data_quality.${kind}\` consciously (it moves the CI gate too).`,
      ],
    },
  };
}

function rules(s: AlertSpec, model: ModelConfig, kind: Kind): AlertingRule[] {
  const bad = sumBy(["model", "feature"], rate(sel(METRIC[kind], { model: model.name }), WINDOW));
  const all = sumBy(["model"], rate(sel(M.events, { model: model.name }), WINDOW));
  const levels = model.dataQuality[kind];
  return policyLevels(model, s).map(({ level, severity }) =>
    modelAlert(
      s,
      model,
      severity,
      `${bad}\n  / on (model) group_left\n${all}\n  > ${num(levels[level])}`,
      FOR,
      {
        description: `${s.description.replace(/\.$/, "")}, above the ${level} share ${num(levels[level] * 100)}%.`,
      },
    ),
  );
}

/** Shares of events past critical (both fire), between the levels (warning), under warning (none). */
function scenarios(s: AlertSpec, model: ModelConfig, kind: Kind, feature: string): Scenario[] {
  const levels: Levels = model.dataQuality[kind];
  const events = { series: sel(M.events, { model: model.name, source: "tap" }), values: "0+100x60" };
  const input = (share: number) => [
    events,
    {
      series: sel(METRIC[kind], { model: model.name, model_version: model.version, feature }),
      values: `0+${num(share * 100)}x60`,
    },
  ];
  const firing = (share: number, sevs: readonly RuleLevel[]): ExpectedAlert[] =>
    policyLevels(model, s, sevs).map(({ severity }) => ({
      model: model.name,
      severity,
      labels: { model: model.name, feature },
      value: share,
    }));
  const out: Scenario[] = [];
  const add = (label: string, share: number, sevs: readonly RuleLevel[]) =>
    out.push({
      name: `${model.name} ${s.name}: ${num(share * 100)}% of events (${label})`,
      input: input(share),
      evalTime: "40m",
      expect: [{ alertname: s.name, alerts: firing(share, sevs) }],
    });
  if (levels.critical < 1)
    add("past critical", Math.min(1, round3(levels.critical + (1 - levels.critical) / 2)), [
      "warning",
      "critical",
    ]);
  if (levels.critical > levels.warning)
    add("past warning", round3((levels.warning + levels.critical) / 2), ["warning"]);
  if (levels.warning > 0) add("under warning", round3(levels.warning / 2), []);
  return out;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export const dataQualityAlerts: AlertConcern = (models) => {
  const kinds: Kind[] = ["missing", "invalid", "unseen"];
  const specs = Object.fromEntries(kinds.map((k) => [k, spec(k)])) as Record<Kind, AlertSpec>;
  const out: AlertingRule[] = [];
  const tests: Scenario[] = [];
  const used = new Set<Kind>();
  for (const model of models) {
    const first = model.features[0];
    if (!first) continue;
    const numeric = model.features.find((f) => f.type === "numeric");
    const categorical = model.features.find((f) => f.type === "categorical");
    const subjects: [Kind, string | undefined][] = [
      ["missing", first.name],
      // numeric values are where "invalid" happens most (text, 1e309); categorical only by type
      ["invalid", (numeric ?? first).name],
      ["unseen", categorical?.name],
    ];
    for (const [kind, feature] of subjects) {
      if (feature === undefined) continue;
      used.add(kind);
      out.push(...rules(specs[kind], model, kind));
      tests.push(...scenarios(specs[kind], model, kind, feature));
    }
  }
  if (out.length === 0) return undefined;
  return {
    file: "data-quality",
    group: groupName("data-quality"),
    rules: out,
    specs: kinds.filter((k) => used.has(k)).map((k) => specs[k]),
    scenarios: tests,
  };
};
