// Ground-truth labels: not arriving at all within the join TTL, or predictions expiring
// unjoined. Only for models whose quality is judged (quality thresholds or a correctness SLO).
import { formatDuration } from "../../config/duration.js";
import type { ModelConfig } from "../../config/model.js";
import { ALERT_PREFIX, groupName, LABEL_EXPIRED_INFO_RATIO, LOG_SELECTOR } from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

const notArriving: AlertSpec = {
  name: `${ALERT_PREFIX}LabelsNotArriving`,
  summary: "No ground-truth labels are being joined to the model's predictions.",
  description: "",
  dashboard: "quality",
  runbook: {
    meaning:
      "The model served predictions during the whole label TTL (`models[].labels.ttl`), but not one label was matched to a prediction in that time.",
    impact:
      "Quality metrics (accuracy, MAE, the correctness SLO) stop updating: a quality regression would go unnoticed.",
    diagnosis: [
      "Open the Quality dashboard: label coverage and label delay show when labels stopped.",
      "Check the label source: POST /v1/labels callers, or the Kafka labels topic and its consumer lag on the Agent health dashboard.",
      "Check `infermon_labels_total` by outcome: labels arriving as `unmatched` mean ids do not match predictions (request id field changed?).",
    ],
    promql: [
      `sum by (outcome) (rate(${M.labels}{model="<model>"}[1h]))`,
      `${M.joinPending}{model="<model>"}`,
      `sum by (topic, outcome) (rate(${M.kafkaMessages}[5m]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | msg=~"(?i).*label.*"`],
    mitigation: [
      "Restore the label pipeline (the job that posts labels, or the producer of the labels topic).",
      "If request ids changed format, fix the id mapping (`models[].json.id`) so labels and predictions join again.",
    ],
  },
};

const expired: AlertSpec = {
  name: `${ALERT_PREFIX}LabelJoinExpired`,
  summary: "Most predictions expire before a label arrives to join them.",
  description: `{{ $value | humanizePercentage }} of the predictions of model {{ $labels.model }} that left the join buffer in the last hour expired without a label (reported above ${num(LABEL_EXPIRED_INFO_RATIO * 100)}%).`,
  dashboard: "quality",
  runbook: {
    meaning: `More than ${num(LABEL_EXPIRED_INFO_RATIO * 100)}% of predictions leaving the label-join buffer in the last hour expired (after \`models[].labels.ttl\`) instead of being matched.`,
    impact:
      "Quality metrics are computed on a small, possibly biased share of predictions. This is expected when only a sample of predictions ever gets a label — then treat this alert as information.",
    diagnosis: [
      "Open the Quality dashboard: compare the label delay distribution with the TTL; labels slower than the TTL can never join.",
      "Check `infermon_label_join_pending`: a buffer at `max_pending` evicts predictions early.",
    ],
    promql: [
      `sum(rate(${M.joinExpired}{model="<model>"}[1h]))`,
      `histogram_quantile(0.9, sum by (le) (rate(${M.labelDelay}_bucket{model="<model>"}[1h])))`,
      `${M.joinPending}{model="<model>"}`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | msg=~"(?i).*expire.*"`],
    mitigation: [
      "If labels arrive later than the TTL, raise `models[].labels.ttl` (and `max_pending` to match the volume).",
      "If only a sample is ever labelled, this is expected: keep it informational.",
    ],
  },
};

function rules(model: ModelConfig): AlertingRule[] {
  const ttl = formatDuration(model.labels.ttlMs);
  const m = { model: model.name };
  const events = sumBy(["model"], rate(sel(M.events, m), ttl));
  const matched = sumBy(["model"], rate(sel(M.labels, { ...m, outcome: "matched" }), ttl));
  const exp = sumBy(["model"], rate(sel(M.joinExpired, m), "1h"));
  const matched1h = sumBy(["model"], rate(sel(M.labels, { ...m, outcome: "matched" }), "1h"));
  return [
    modelAlert(notArriving, model, "warning", `${events} > 0\nunless on (model)\n${matched} > 0`, "1h", {
      description: `Model {{ $labels.model }} served predictions, but no label was matched to them in the last ${ttl} (the label TTL).`,
    }),
    modelAlert(
      expired,
      model,
      "info",
      `${exp}\n  / (${exp} + (${matched1h} or 0 * ${exp}))\n  > ${num(LABEL_EXPIRED_INFO_RATIO)}`,
      "1h",
    ),
  ];
}

function scenarios(model: ModelConfig): Scenario[] {
  const m = { model: model.name };
  const events = { series: sel(M.events, { ...m, source: "tap" }), values: "0+60x100" };
  const matched = (perMinute: number) => ({
    series: sel(M.labels, { ...m, outcome: "matched" }),
    values: `0+${perMinute}x100`,
  });
  const exp = (perMinute: number) => ({ series: sel(M.joinExpired, m), values: `0+${perMinute}x100` });
  const fire = (alertname: string, severity: "warning" | "info", value: number) => ({
    alertname,
    alerts: [{ model: model.name, severity, labels: m, value }],
  });
  return [
    {
      name: `${model.name} labels not arriving`,
      input: [events],
      evalTime: "90m",
      expect: [fire(notArriving.name, "warning", 1)],
    },
    {
      name: `${model.name} labels arriving`,
      input: [events, matched(6)],
      evalTime: "90m",
      expect: [{ alertname: notArriving.name, alerts: [] }],
    },
    {
      name: `${model.name} most predictions expire unjoined`,
      input: [events, matched(1), exp(10)],
      evalTime: "90m",
      expect: [fire(expired.name, "info", 10 / 11)],
    },
    {
      name: `${model.name} few predictions expire unjoined`,
      input: [events, matched(10), exp(1)],
      evalTime: "90m",
      expect: [{ alertname: expired.name, alerts: [] }],
    },
  ];
}

export const labelAlerts: AlertConcern = (models) => {
  const judged = models.filter(
    (m) => m.quality.accuracy !== undefined || m.quality.mae !== undefined || m.slo.correctness !== undefined,
  );
  if (judged.length === 0) return undefined;
  return {
    file: "labels",
    group: groupName("labels"),
    rules: judged.flatMap(rules),
    specs: [notArriving, expired],
    scenarios: judged.flatMap(scenarios),
  };
};
