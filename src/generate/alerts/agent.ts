// The agent itself: events dropped, unparseable bodies, scrape target down or absent, Kafka lag.
// An alert carries the labels that truly identify its source. Parse errors are counted per model,
// so that rule is per model. Drops and scrape failures belong to one agent (one scrape target):
// InfermonEventsDropped and InfermonAgentDown carry the labels of that target (job, instance, pod,
// namespace, …) and a `model` only when the target itself has one (the generated PodMonitor copies
// the pod's model label), so they reach that model's owner and Alertmanager mutes only the alerts
// of that target (src/generate/alertmanager.ts); a target naming no configured model goes to the
// default receiver. Kafka lag belongs to a topic of the consumer group, not to a model: one rule,
// default receiver.
import type { ModelConfig } from "../../config/model.js";
import {
  AGENT_JOB,
  ALERT_PREFIX,
  DROP_WARNING_RATIO,
  groupName,
  KAFKA_LAG_WARNING,
  LABEL,
  LOG_SELECTOR,
  MODEL_POD_LABEL,
  PARSE_ERROR_WARNING_RATIO,
  UNOWNED,
} from "../conventions.js";
import { M, num, rate, sel, sumBy } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import type { AlertConcern, AlertSpec, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

const agentLogs = `${LOG_SELECTOR} | json | level >= 40`;

const dropped: AlertSpec = {
  name: `${ALERT_PREFIX}EventsDropped`,
  summary: "The agent is dropping inference events instead of analysing them.",
  description: `The infermon agent {{ $labels.instance }} (job {{ $labels.job }}) dropped {{ $value | humanizePercentage }} of inference events over the last 10m (warning above ${num(DROP_WARNING_RATIO * 100)}%); statistics of model {{ $labels.model }} from that agent are computed on a sample.`,
  dashboard: "agent",
  runbook: {
    meaning:
      "One agent (the `instance` in the alert) did not analyse more than 1 % of the copies of inference traffic or logger events it saw: its event loop was saturated and analysis was held to its floor share, the analysis queue was full, bodies exceeded `tap.max_body_bytes`, or logger events could not be paired or named no configured model (the `reason` label says which). The client's traffic is never affected; only monitoring is. The alert carries the scrape target's labels (`instance`, `pod`, `namespace`, …); it names a `model` and goes to that model's owner only when the target has a `model` label (the generated PodMonitor copies the pod label `infermon.io/model`), otherwise it goes to `alerting.default_receiver`.",
    impact:
      "Drift, prediction and quality statistics are computed on a subset of traffic; rare shifts may be missed.",
    diagnosis: [
      "Open the Agent health dashboard: drops by reason, queue depth and memory.",
      "`overload`: the proxy needed the whole event loop, so analysis ran at its floor (5 % of the loop) and further copies were shed — the agent is at its CPU limit; check CPU throttling and request rate.",
      "`queue_full`: analysis fell behind a burst longer than `tap.queue_size` — check CPU throttling and event rate.",
      "`body_too_large`: requests are larger than `tap.max_body_bytes`; `decompressed_too_large`: a compressed body inflates past it (a zip bomb, or a limit set too low).",
      "`unpaired`: a CloudEvent request or response half never met its other half (the logger sends only one, or ids do not match — Seldon links halves by `ce-requestid`); `unknown_model`: logger events or `/v1/events` bodies name a model that is not configured (a KServe InferenceService named differently from `models[].name`?); `unknown_type`: CloudEvents of a type that is neither a request nor a response.",
      "`analysis_error`: a bug — read the agent's logs for the error and report it.",
    ],
    promql: [
      `sum by (instance, reason) (rate(${M.dropped}{instance="<instance>"}[5m]))`,
      `max by (instance) (${M.queueDepth}{instance="<instance>"})`,
      `sum by (instance, model, source) (rate(${M.events}{instance="<instance>"}[5m]))`,
    ],
    logql: [agentLogs],
    mitigation: [
      "Give the agent more CPU, or run more replicas (sidecar per model pod scales with the model).",
      "Raise `tap.queue_size` for bursty traffic, or `tap.max_body_bytes` for large payloads (memory grows accordingly).",
    ],
  },
};

const parseErrors: AlertSpec = {
  name: `${ALERT_PREFIX}ParseErrors`,
  summary: "The agent cannot read many of the model's request or response bodies.",
  description: `{{ $value | humanizePercentage }} of the requests of model {{ $labels.model }} over the last 10m could not be parsed as its protocol (warning above ${num(PARSE_ERROR_WARNING_RATIO * 100)}%).`,
  dashboard: "agent",
  runbook: {
    meaning:
      "Bodies seen for this model could not be read as its configured protocol (`models[].protocol`), so they are not analysed. The share is taken of the requests the tap saw; where no tap counts requests (a logger feeding the ingest only) of the parse errors plus the events analysed.",
    impact:
      "Drift and quality statistics ignore these requests; if all fail, monitoring of the model is blind.",
    diagnosis: [
      "Open the Agent health dashboard: parse errors by reason.",
      "Check whether the model server's API changed (a new output name, a different tensor layout) or the route maps to the wrong model (`models[].route`).",
      "Read the agent's logs for the parse error messages.",
    ],
    promql: [
      `sum by (reason) (rate(${M.parseErrors}{model="<model>"}[5m]))`,
      `sum by (code) (rate(${M.requests}{model="<model>"}[5m]))`,
      `sum by (source) (rate(${M.events}{model="<model>"}[5m]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>" | msg=~"(?i).*parse.*"`],
    mitigation: [
      "Align `models[].protocol`, `prediction.output` and the feature names with what the server sends, then redeploy the config.",
      "If the server changed by mistake, roll it back.",
    ],
  },
};

const down: AlertSpec = {
  name: `${ALERT_PREFIX}AgentDown`,
  summary: "Prometheus cannot scrape an infermon agent.",
  description: `Prometheus failed to scrape infermon target {{ $labels.instance }} (job {{ $labels.job }}); monitoring of model {{ $labels.model }} from that target may be blind.`,
  dashboard: "agent",
  runbook: {
    meaning: `A target of the \`${AGENT_JOB}\` scrape job has been down for 5m: the agent crashed, is restarting, or its metrics port is unreachable. The alert carries the target's labels (\`instance\`, \`pod\`, \`namespace\`, …); it names a \`model\` and goes to that model's owner only when the scrape target has a \`model\` label (the generated PodMonitor copies the pod label \`${MODEL_POD_LABEL}\`), otherwise it goes to \`alerting.default_receiver\`.`,
    impact:
      "Drift, prediction and quality metrics from that agent stop; alerts from the same target (same `instance`, and same `model` when the target has one) are inhibited in Alertmanager while this fires — other pods and other models keep paging. With the tap in the request path, check that the model still serves traffic.",
    diagnosis: [
      "Check the pod: `kubectl get pods -l app=infermon` and `kubectl describe pod` for restarts and OOM kills.",
      "Open the Agent health dashboard: memory before the failure.",
      "Read the agent's last log lines.",
    ],
    promql: [`up{job="${AGENT_JOB}"}`, `process_resident_memory_bytes{job="${AGENT_JOB}"}`],
    logql: [agentLogs],
    mitigation: [
      "Restart the pod; if it was OOM killed, raise its memory limit or lower `tap.queue_size` / `labels.max_pending`.",
      "If the metrics listener moved, fix `metrics.listen` or the scrape config.",
    ],
  },
};

const absent: AlertSpec = {
  name: `${ALERT_PREFIX}AgentAbsent`,
  summary: "No infermon agent is known to Prometheus.",
  description: `No target of scrape job ${AGENT_JOB} has existed for 15m; model {{ $labels.model }} is not monitored.`,
  dashboard: "agent",
  runbook: {
    meaning: `Prometheus has no \`up\` series for job \`${AGENT_JOB}\`: the agent is not deployed, or service discovery lost it.`,
    impact: "Nothing about the model is monitored, and no drift or quality alert can fire.",
    diagnosis: [
      "Check the deployment exists and its pods are Running.",
      "Check the ServiceMonitor/PodMonitor (or scrape config) selects the pods, and that the job label is `infermon`.",
      "In Prometheus, open Status → Targets and look for the job.",
    ],
    promql: [`up{job="${AGENT_JOB}"}`, `count(${M.buildInfo})`],
    logql: [agentLogs],
    mitigation: ["Redeploy the agent, or fix the scrape configuration so the job is named `infermon`."],
  },
};

const kafkaLag: AlertSpec = {
  name: `${ALERT_PREFIX}KafkaConsumerLagHigh`,
  summary: "The agent's Kafka consumer is falling behind.",
  description: `The infermon consumer group is {{ $value | printf "%.0f" }} messages behind on topic {{ $labels.topic }} (warning above ${num(KAFKA_LAG_WARNING)}); statistics of the models on that topic are late.`,
  dashboard: "agent",
  runbook: {
    meaning: `The summed consumer lag of the agent's consumer group on one topic has been above ${num(KAFKA_LAG_WARNING)} messages for 15m.`,
    impact: "Drift and quality statistics describe the past; labels join late and may expire.",
    diagnosis: [
      "Open the Agent health dashboard: Kafka lag per partition and message outcomes.",
      "Lag on a few partitions: a stuck consumer or a hot key. Lag everywhere: not enough consumers or CPU.",
    ],
    promql: [
      `sum by (topic, partition) (${M.kafkaLag})`,
      `sum by (topic, outcome) (rate(${M.kafkaMessages}[5m]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | msg=~"(?i).*kafka.*"`],
    mitigation: [
      "Scale the aggregator deployment (one consumer per partition at most).",
      "Restart a stuck consumer; check broker health.",
    ],
  },
};

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
  return [
    // only this model's targets: the labels (instance, pod, …) are the target's own
    modelAlert(dropped, model, "warning", dropRatio(sel(M.dropped, m)), "10m"),
    modelAlert(parseErrors, model, "warning", parseErrorRatio(m), "10m"),
    modelAlert(down, model, "critical", `${sel(M.up, { job: AGENT_JOB, model: model.name })} == 0`, "5m"),
    modelAlert(absent, model, "critical", `absent(${sel(M.up, { job: AGENT_JOB })})`, "15m"),
  ];
}

/**
 * InfermonEventsDropped of agents whose target names no configured model (one agent for several
 * models, or an unknown model label): one alert per agent with its own labels, to the default
 * receiver.
 */
function droppedOfUnknownModel(models: readonly ModelConfig[]): AlertingRule {
  const known = models.map((m) => m.name).join("|");
  return {
    alert: dropped.name,
    expr: dropRatio(sel(M.dropped, { [LABEL.model]: { nre: known } })),
    for: "10m",
    labels: { owner: UNOWNED, severity: "warning" },
    annotations: {
      summary: dropped.summary,
      description: `The infermon agent {{ $labels.instance }} (job {{ $labels.job }}) dropped {{ $value | humanizePercentage }} of inference events over the last 10m (warning above ${num(DROP_WARNING_RATIO * 100)}%); the statistics of the models that agent monitors are computed on a sample (the target has no model label naming a configured model).`,
    },
  };
}

/** Kafka lag is per topic of the consumer group, shared by every model: one rule, no model. */
function kafkaLagRule(): AlertingRule {
  return {
    alert: kafkaLag.name,
    expr: `${sumBy(["topic"], M.kafkaLag)} > ${num(KAFKA_LAG_WARNING)}`,
    for: "15m",
    labels: { owner: UNOWNED, severity: "warning" },
    annotations: { summary: kafkaLag.summary, description: kafkaLag.description },
  };
}

/**
 * InfermonAgentDown of targets that name no configured model (no `model` target label, or an
 * unknown one): one alert per target with its own labels, to the default receiver.
 */
function downOfUnknownModel(models: readonly ModelConfig[]): AlertingRule {
  const known = models.map((m) => m.name).join("|");
  return {
    alert: down.name,
    expr: `${sel(M.up, { job: AGENT_JOB, [LABEL.model]: { nre: known } })} == 0`,
    for: "5m",
    labels: { owner: UNOWNED, severity: "critical" },
    annotations: {
      summary: down.summary,
      description:
        "Prometheus failed to scrape infermon target {{ $labels.instance }} (job {{ $labels.job }}); the models that agent monitors may be blind (the target has no model label naming a configured model).",
    },
  };
}

function scenarios(models: readonly ModelConfig[], kafka: boolean): Scenario[] {
  const all = (
    alertname: string,
    severity: "warning" | "critical",
    labels: Record<string, string>,
    value: number,
  ) => ({
    alertname,
    alerts: models.map((m) => ({ model: m.name, severity, labels: { ...labels, model: m.name }, value })),
  });
  const first = models[0] as ModelConfig;
  const requests = (m: ModelConfig, perMinute: number) => ({
    series: sel(M.requests, { model: m.name, model_version: m.version, code: "200" }),
    values: `0+${perMinute}x40`,
  });
  const parse = (m: ModelConfig, perMinute: number) => ({
    series: sel(M.parseErrors, { model: m.name, reason: "invalid_json" }),
    values: `0+${perMinute}x40`,
  });
  const target = { instance: "10.0.0.1:9464", job: AGENT_JOB };
  // a pod per model, each with its model's target label, plus a sibling pod of the first model
  // and an agent whose target has no model label
  const pod = (m: ModelConfig, i: number) => ({
    instance: `10.0.1.${i + 1}:9464`,
    job: AGENT_JOB,
    [LABEL.model]: m.name,
    namespace: "ml",
    pod: `${m.name}-${i}`,
  });
  const sibling = { ...pod(first, models.length), pod: `${first.name}-sibling` };
  const unlabelled = {
    instance: "10.0.2.1:9464",
    job: AGENT_JOB,
    namespace: "monitoring",
    pod: "infermon-0",
  };
  const downAlert = (m: ModelConfig, i: number) => ({
    model: m.name,
    severity: "critical" as const,
    labels: pod(m, i),
    value: 0,
  });
  // an agent's drops (no model label of its own: the target's labels) and the events it analysed
  // (the agent's model label wins over the target's, as with honorLabels); undefined: no events
  const agentSeries = (labels: Record<string, string>, dropsPerMinute: number, eventsPerMinute?: number) => [
    { series: sel(M.dropped, { ...labels, reason: "queue_full" }), values: `0+${dropsPerMinute}x40` },
    ...(eventsPerMinute === undefined
      ? []
      : models.map((o) => ({
          series: sel(M.events, { ...labels, [LABEL.model]: o.name, source: "tap" }),
          values: `0+${eventsPerMinute / models.length}x40`,
        }))),
  ];
  const out: Scenario[] = [
    // one pod of a model drops 10 %, its sibling and the other models' pods drop nothing: one
    // alert, with that pod's target labels, to that model's owner
    ...models.map((m, i) => ({
      name: `events dropped: 10% on one ${m.name} pod`,
      input: [
        ...models.flatMap((o, j) => agentSeries(pod(o, j), o === m ? 10 : 0, 90)),
        ...agentSeries(sibling, 0, 100),
        ...agentSeries(unlabelled, 0, 100),
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: dropped.name,
          alerts: [{ model: m.name, severity: "warning" as const, labels: pod(m, i), value: 0.1 }],
        },
      ],
    })),
    {
      name: "events dropped: an agent of no known model drops everything it sees",
      input: [
        ...agentSeries(unlabelled, 10, undefined),
        ...models.flatMap((o, j) => agentSeries(pod(o, j), 0, 90)),
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: dropped.name,
          alerts: [{ model: undefined, severity: "warning", labels: unlabelled, value: 1 }],
        },
      ],
    },
    {
      name: "events dropped: 0.1%",
      input: [
        ...models.flatMap((o, j) => agentSeries(pod(o, j), 1, 999)),
        ...agentSeries(unlabelled, 1, 999),
      ],
      evalTime: "30m",
      expect: [{ alertname: dropped.name, alerts: [] }],
    },
    ...models.map((m, i) => ({
      name: `${m.name} pod down: one alert with that target's labels`,
      input: [
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: o === m ? "0x20" : "1x20" })),
        ...(m === first ? [{ series: sel(M.up, sibling), values: "1x20" }] : []),
        { series: sel(M.up, unlabelled), values: "1x20" },
      ],
      evalTime: "10m",
      expect: [
        { alertname: down.name, alerts: [downAlert(m, i)] },
        { alertname: absent.name, alerts: [] },
      ],
    })),
    {
      name: "agent of no known model down: one alert with the target's labels, no model",
      input: [
        { series: sel(M.up, unlabelled), values: "0x20" },
        {
          series: sel(M.up, { ...unlabelled, instance: "10.0.2.2:9464", [LABEL.model]: "other" }),
          values: "0x20",
        },
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: "1x20" })),
      ],
      evalTime: "10m",
      expect: [
        {
          alertname: down.name,
          alerts: [
            { model: undefined, severity: "critical", labels: unlabelled, value: 0 },
            {
              model: undefined,
              severity: "critical",
              labels: { ...unlabelled, instance: "10.0.2.2:9464", [LABEL.model]: "other" },
              value: 0,
            },
          ],
        },
      ],
    },
    {
      name: "agent up",
      input: [
        { series: sel(M.up, target), values: "1x30" },
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: "1x30" })),
      ],
      evalTime: "20m",
      expect: [
        { alertname: down.name, alerts: [] },
        { alertname: absent.name, alerts: [] },
      ],
    },
    {
      name: "agent absent",
      input: [{ series: sel(M.buildInfo, { version: "0.1.0" }), values: "1x30" }],
      evalTime: "20m",
      expect: [all(absent.name, "critical", { job: AGENT_JOB }, 1)],
    },
  ];
  // a logger feeding the ingest only: no request counter (or one at 0, the tap serving other
  // models), the parse errors still page, as a share of the events
  for (const [name, requestSeries] of [
    ["no tap", []],
    ["the tap saw no request of it", [{ ...requests(first, 0), values: "0x40" }]],
  ] as const)
    out.push({
      name: `${first.name} parse errors: 5% of the ingest's events, ${name}`,
      input: [
        parse(first, 5),
        ...requestSeries,
        { series: sel(M.events, { model: first.name, source: "cloudevents" }), values: "0+95x40" },
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: parseErrors.name,
          alerts: [{ model: first.name, severity: "warning", labels: { model: first.name }, value: 0.05 }],
        },
      ],
    });
  for (const m of models) {
    out.push(
      {
        name: `${m.name} parse errors: 5%`,
        input: [parse(m, 5), requests(m, 100)],
        evalTime: "30m",
        expect: [
          {
            alertname: parseErrors.name,
            alerts: [{ model: m.name, severity: "warning", labels: { model: m.name }, value: 0.05 }],
          },
        ],
      },
      {
        name: `${m.name} parse errors: 0.5%`,
        input: [parse(m, 1), requests(m, 200)],
        evalTime: "30m",
        expect: [{ alertname: parseErrors.name, alerts: [] }],
      },
    );
  }
  if (kafka) {
    const lag = (v: number) => ({
      series: sel(M.kafkaLag, { topic: "inference.predictions", partition: "0" }),
      values: `${v}x30`,
    });
    out.push(
      {
        name: "kafka lag high",
        input: [lag(KAFKA_LAG_WARNING * 2)],
        evalTime: "20m",
        expect: [
          {
            alertname: kafkaLag.name,
            alerts: [
              {
                model: undefined,
                severity: "warning",
                labels: { topic: "inference.predictions" },
                value: KAFKA_LAG_WARNING * 2,
              },
            ],
          },
        ],
      },
      {
        name: "kafka lag low",
        input: [lag(10)],
        evalTime: "20m",
        expect: [{ alertname: kafkaLag.name, alerts: [] }],
      },
    );
  }
  return out;
}

export const agentAlerts: AlertConcern = (models, ctx) => {
  if (models.length === 0) return undefined;
  return {
    file: "agent",
    group: groupName("agent"),
    rules: [
      ...models.flatMap((m) => rules(m)),
      droppedOfUnknownModel(models),
      downOfUnknownModel(models),
      ...(ctx.kafka ? [kafkaLagRule()] : []),
    ],
    specs: ctx.kafka ? [dropped, parseErrors, down, absent, kafkaLag] : [dropped, parseErrors, down, absent],
    scenarios: scenarios(models, ctx.kafka),
  };
};
