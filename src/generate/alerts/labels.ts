// Ground-truth labels: not arriving within the model's expected label delay, or predictions
// expiring unjoined. Only for models that expect labels: quality thresholds, a correctness SLO, or
// a `labels:` block; any other model gets no label rules at all.
import { formatDuration } from "../../config/duration.js";
import type { ModelConfig } from "../../config/model.js";
import { LOG } from "../../export/logMessages.js";
import {
  ALERT_PREFIX,
  groupName,
  LABEL_EXPIRED_INFO_RATIO,
  LOG_SELECTOR,
  type Severity,
} from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { topSeverity } from "../severity.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

const notArriving: AlertSpec = {
  name: `${ALERT_PREFIX}LabelsNotArriving`,
  concern: "labels",
  summary: "No ground-truth labels are being joined to the model's predictions.",
  description: "",
  dashboard: "quality",
  runbook: {
    meaning:
      "The model served predictions more than its expected label delay D ago (`models[].labels.expected_delay`, default `labels.ttl`) and is still serving, but not one label was matched to a prediction in the last D. A model that started less than D ago does not alert: its labels are not due yet.",
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
    logql: [
      `${LOG_SELECTOR} | json | model="<model>" | level >= 40`,
      `${LOG_SELECTOR} | json | msg="${LOG.joinStateLost}"`,
    ],
    mitigation: [
      "Restore the label pipeline (the job that posts labels, or the producer of the labels topic).",
      "If request ids changed format, fix the id mapping (`models[].json.id`) so labels and predictions join again.",
    ],
  },
};

const expired: AlertSpec = {
  name: `${ALERT_PREFIX}LabelJoinExpired`,
  concern: "labels",
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
    logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
    mitigation: [
      "If labels arrive later than the TTL, raise `models[].labels.ttl` (and `max_pending` to match the volume).",
      "If only a sample is ever labelled, this is expected: keep it informational.",
    ],
  },
};

/** How long the not-arriving condition must hold: a quarter of the delay, between 5m and 1h. */
function forMs(delayMs: number): number {
  return Math.min(3_600_000, Math.max(300_000, Math.round(delayMs / 4 / 60_000) * 60_000));
}

/** promtool sample interval for label scenarios: about 60 samples per expected delay, ≥ 1m. */
function intervalMs(delayMs: number): number {
  return Math.max(60_000, Math.floor(delayMs / 60 / 60_000) * 60_000);
}

function rules(model: ModelConfig): AlertingRule[] {
  const delay = formatDuration(model.labels.expectedDelayMs);
  const m = { model: model.name };
  // predictions made D ago or more (labels for them are due by now), and predictions still being made
  const due = sumBy(["model"], `rate(${sel(M.events, m)}[${delay}] offset ${delay})`);
  const events = sumBy(["model"], rate(sel(M.events, m), delay));
  const matched = sumBy(["model"], rate(sel(M.labels, { ...m, outcome: "matched" }), delay));
  const exp = sumBy(["model"], rate(sel(M.joinExpired, m), "1h"));
  const matched1h = sumBy(["model"], rate(sel(M.labels, { ...m, outcome: "matched" }), "1h"));
  return [
    modelAlert(
      notArriving,
      model,
      topSeverity(model, notArriving.concern),
      `${due} > 0\nand on (model)\n${events} > 0\nunless on (model)\n${matched} > 0`,
      formatDuration(forMs(model.labels.expectedDelayMs)),
      {
        description: `Model {{ $labels.model }} served predictions, but no label was matched to them in the last ${delay} (the expected label delay).`,
      },
    ),
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
  const delayMs = model.labels.expectedDelayMs;
  const step = intervalMs(delayMs);
  const interval = formatDuration(step);
  // long enough for the offset window to fill and the `for` to pass: 2D + for, and some
  const due = formatDuration(Math.ceil((2 * delayMs + forMs(delayMs)) / step) * step + 3 * step);
  const samples = Math.ceil((2 * delayMs + forMs(delayMs)) / step) + 10;
  const events = { series: sel(M.events, { ...m, source: "tap" }), values: `0+60x${samples}` };
  const matched = (perStep: number) => ({
    series: sel(M.labels, { ...m, outcome: "matched" }),
    values: `0+${perStep}x${samples}`,
  });
  const exp = (perMinute: number) => ({ series: sel(M.joinExpired, m), values: `0+${perMinute}x100` });
  const fire = (alertname: string, severity: Severity, value: number) => ({
    alertname,
    alerts: [{ model: model.name, severity, labels: m, value }],
  });
  return [
    {
      name: `${model.name} labels not arriving`,
      input: [events],
      evalTime: due,
      interval,
      expect: [fire(notArriving.name, topSeverity(model, notArriving.concern), 60_000 / step)],
    },
    {
      name: `${model.name} labels arriving`,
      input: [events, matched(6)],
      evalTime: due,
      interval,
      expect: [{ alertname: notArriving.name, alerts: [] }],
    },
    {
      // the old fixed-1h rule fired here, an hour after a new model's first prediction
      name: `${model.name} new model, labels not due yet`,
      input: [events],
      evalTime: formatDuration(Math.floor((delayMs * 0.9) / step) * step),
      interval,
      expect: [{ alertname: notArriving.name, alerts: [] }],
    },
    {
      name: `${model.name} traffic stopped, labels of the last predictions all in`,
      input: [{ series: events.series, values: `0+60x${Math.ceil(delayMs / step)} _x${samples}` }],
      evalTime: due,
      interval,
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

/** A model whose predictions are meant to meet labels (the label rules, the join tier). */
export const expectsLabels = (m: ModelConfig): boolean =>
  m.labels.configured ||
  m.quality.accuracy !== undefined ||
  m.quality.mae !== undefined ||
  m.slo.correctness !== undefined;

export const labelAlerts: AlertConcern = (models) => {
  const judged = models.filter(expectsLabels);
  if (judged.length === 0) return undefined;
  return {
    file: "labels",
    group: groupName("labels"),
    rules: judged.flatMap(rules),
    specs: [notArriving, expired],
    scenarios: judged.flatMap(scenarios),
  };
};
