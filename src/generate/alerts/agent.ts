// The agent itself: events dropped, unparseable bodies, scrape target down or absent, Kafka lag.
// An alert carries the labels that truly identify its source. Parse errors are counted per model,
// so that rule is per model. Drops and scrape failures belong to one agent (one scrape target):
// InfermonEventsDropped and InfermonAgentDown carry the labels of that target (job, instance, pod,
// namespace, …) and a `model` only when the target itself has one (the generated PodMonitor copies
// the pod's model label), so they reach that model's owner and Alertmanager mutes only the alerts
// of that target (src/generate/alertmanager.ts); a target naming no configured model goes to the
// default receiver. Kafka lag belongs to a topic of the consumer group, not to a model: one rule,
// default receiver. Severities follow the `agent` concern of the policy: down and absent at its
// urgency, drops, parse errors and lag one step less. Specs: agentSpecs.ts; scenarios: agentScenarios.ts.
import type { ModelConfig } from "../../config/model.js";
import {
  AGENT_JOB,
  DROP_WARNING_RATIO,
  groupName,
  KAFKA_LAG_WARNING,
  LABEL,
  PARSE_ERROR_WARNING_RATIO,
  type Severity,
  UNOWNED,
} from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { severityFor, topSeverity } from "../severity.js";
import { agentScenarios } from "./agentScenarios.js";
import { absent, down, dropped, kafkaLag, parseErrors } from "./agentSpecs.js";
import type { AlertConcern } from "./types.js";
import { modelAlert } from "./types.js";

/** One agent: the labels a per-agent ratio is matched on. */
const AGENT = ["job", LABEL.instance];

/**
 * Share of the copies one agent (scrape target) dropped over 10m, with the labels of the target
 * (instance, pod, namespace, and `model` when the target has one) from `droppedOf`. The drops and
 * events of the whole agent make the denominator, whatever models its events name; an agent that
 * analysed nothing at all still counts (its drops over drops + 0).
 */
function dropRatio(droppedOf: string): string {
  const by = (expr: string) => sumBy(AGENT, expr);
  const drops = by(rate(M.dropped, "10m"));
  const events = by(rate(M.events, "10m"));
  const on = `on (${AGENT.join(", ")})`;
  // group_left keeps the target's labels of the left side (a one-to-one `on` would keep only job, instance)
  return `sum without (reason) (${rate(droppedOf, "10m")})\n  / ${on} group_left () (${drops} + ${on} (${events} or ${drops} * 0))\n  > ${num(DROP_WARNING_RATIO)}`;
}

/**
 * Share of a model's bodies that could not be parsed over 10m: over the requests the tap saw, or,
 * where the tap saw none (a KServe/Seldon logger feeding the ingest only), over the parse errors
 * plus the events analysed — without that fallback the alert could never fire there (no request
 * series), or would read errors / 0 (a tap configured for other models).
 */
function parseErrorRatio(m: { model: string }): string {
  const errors = sumBy(["model"], rate(sel(M.parseErrors, m), "10m"));
  const requests = sumBy(["model"], rate(sel(M.requests, m), "10m"));
  const events = sumBy(["model"], rate(sel(M.events, m), "10m"));
  return `${errors}\n  / (${requests} > 0 or (${errors} + ${events}))\n  > ${num(PARSE_ERROR_WARNING_RATIO)}`;
}

function rules(model: ModelConfig): AlertingRule[] {
  const m = { model: model.name };
  // drops and parse errors are one step below the agent's urgency (a ticket when it pages)
  const degraded = severityFor(model, "agent", "warning");
  return [
    // only this model's targets: the labels (instance, pod, …) are the target's own
    ...(degraded
      ? [
          modelAlert(dropped, model, degraded, dropRatio(sel(M.dropped, m)), "10m"),
          modelAlert(parseErrors, model, degraded, parseErrorRatio(m), "10m"),
        ]
      : []),
    modelAlert(
      down,
      model,
      topSeverity(model, "agent"),
      `${sel(M.up, { job: AGENT_JOB, model: model.name })} == 0`,
      "5m",
    ),
    modelAlert(absent, model, topSeverity(model, "agent"), `absent(${sel(M.up, { job: AGENT_JOB })})`, "15m"),
  ];
}

/**
 * InfermonEventsDropped of agents whose target names no configured model (one agent for several
 * models, or an unknown model label): one alert per agent with its own labels, to the default
 * receiver.
 */
function droppedOfUnknownModel(models: readonly ModelConfig[], severity: Severity): AlertingRule {
  const known = models.map((m) => m.name).join("|");
  return {
    alert: dropped.name,
    expr: dropRatio(sel(M.dropped, { [LABEL.model]: { nre: known } })),
    for: "10m",
    labels: { concern: dropped.concern, owner: UNOWNED, severity },
    annotations: {
      summary: dropped.summary,
      description: `The infermon agent {{ $labels.instance }} (job {{ $labels.job }}) dropped {{ $value | humanizePercentage }} of inference events over the last 10m (warning above ${num(DROP_WARNING_RATIO * 100)}%); the statistics of the models that agent monitors are computed on a sample (the target has no model label naming a configured model).`,
    },
  };
}

/** Kafka lag is per topic of the consumer group, shared by every model: one rule, no model. */
function kafkaLagRule(severity: Severity): AlertingRule {
  return {
    alert: kafkaLag.name,
    expr: `${sumBy(["topic"], M.kafkaLag)} > ${num(KAFKA_LAG_WARNING)}`,
    for: "15m",
    labels: { concern: kafkaLag.concern, owner: UNOWNED, severity },
    annotations: { summary: kafkaLag.summary, description: kafkaLag.description },
  };
}

/**
 * InfermonAgentDown of targets that name no configured model (no `model` target label, or an
 * unknown one): one alert per target with its own labels, to the default receiver.
 */
function downOfUnknownModel(models: readonly ModelConfig[], severity: Severity): AlertingRule {
  const known = models.map((m) => m.name).join("|");
  return {
    alert: down.name,
    expr: `${sel(M.up, { job: AGENT_JOB, [LABEL.model]: { nre: known } })} == 0`,
    for: "5m",
    labels: { concern: down.concern, owner: UNOWNED, severity },
    annotations: {
      summary: down.summary,
      description:
        "Prometheus failed to scrape infermon target {{ $labels.instance }} (job {{ $labels.job }}); the models that agent monitors may be blind (the target has no model label naming a configured model).",
    },
  };
}

export const agentAlerts: AlertConcern = (models, ctx) => {
  if (models.length === 0) return undefined;
  // rules of no configured model follow alerting.severity
  const degraded = severityFor(ctx.alerting, "agent", "warning");
  return {
    file: "agent",
    group: groupName("agent"),
    rules: [
      ...models.flatMap((m) => rules(m)),
      ...(degraded ? [droppedOfUnknownModel(models, degraded)] : []),
      downOfUnknownModel(models, topSeverity(ctx.alerting, "agent")),
      ...(ctx.kafka && degraded ? [kafkaLagRule(degraded)] : []),
    ],
    specs: ctx.kafka ? [dropped, parseErrors, down, absent, kafkaLag] : [dropped, parseErrors, down, absent],
    scenarios: agentScenarios(models, ctx),
  };
};
