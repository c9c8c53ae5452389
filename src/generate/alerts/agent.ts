// The agent itself: events dropped, unparseable bodies, scrape target down or absent, Kafka lag.
// The agent-wide metrics carry no `model` label, so these rules are repeated per model with the
// model's `model`/`owner` labels: the owner learns that its model's monitoring is degraded.
// InfermonAgentDown is the exception: it carries the labels of the target that is down (job,
// instance, pod, namespace, …) and a `model` only when the target itself has one, so that
// Alertmanager mutes only the alerts of that target (src/generate/alertmanager.ts).
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
  description: `The infermon agent dropped {{ $value | humanizePercentage }} of inference events over the last 10m (warning above ${num(DROP_WARNING_RATIO * 100)}%); statistics of model {{ $labels.model }} are computed on a sample.`,
  dashboard: "agent",
  runbook: {
    meaning:
      "Copies of inference traffic were not analysed: the agent's event loop was saturated and analysis was held to its floor share, the analysis queue was full, or bodies exceeded `tap.max_body_bytes`. The client's traffic is never affected; only monitoring is.",
    impact:
      "Drift, prediction and quality statistics are computed on a subset of traffic; rare shifts may be missed.",
    diagnosis: [
      "Open the Agent health dashboard: drops by reason, queue depth and memory.",
      "`overload`: the proxy needed the whole event loop, so analysis ran at its floor (5 % of the loop) and further copies were shed — the agent is at its CPU limit; check CPU throttling and request rate.",
      "`queue_full`: analysis fell behind a burst longer than `tap.queue_size` — check CPU throttling and event rate.",
      "`body_too_large`: requests are larger than `tap.max_body_bytes`.",
    ],
    promql: [
      `sum by (reason) (rate(${M.dropped}[5m]))`,
      `max(${M.queueDepth})`,
      `sum by (model, source) (rate(${M.events}[5m]))`,
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
      "Bodies seen for this model could not be read as its configured protocol (`models[].protocol`), so they are not analysed.",
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
  description: `The infermon consumer group is {{ $value | printf "%.0f" }} messages behind on topic {{ $labels.topic }} (warning above ${num(KAFKA_LAG_WARNING)}); statistics of model {{ $labels.model }} are late.`,
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

function rules(model: ModelConfig, kafka: boolean): AlertingRule[] {
  const droppedRate = `sum(${rate(M.dropped, "10m")})`;
  const eventsRate = `sum(${rate(M.events, "10m")})`;
  const m = { model: model.name };
  const out = [
    modelAlert(
      dropped,
      model,
      "warning",
      `${droppedRate}\n  / (${droppedRate} + (${eventsRate} or vector(0)))\n  > ${num(DROP_WARNING_RATIO)}`,
      "10m",
    ),
    modelAlert(
      parseErrors,
      model,
      "warning",
      `${sumBy(["model"], rate(sel(M.parseErrors, m), "10m"))}\n  / ${sumBy(["model"], rate(sel(M.requests, m), "10m"))}\n  > ${num(PARSE_ERROR_WARNING_RATIO)}`,
      "10m",
    ),
    // only this model's targets: the labels (instance, pod, …) are the target's own
    modelAlert(down, model, "critical", `${sel(M.up, { job: AGENT_JOB, model: model.name })} == 0`, "5m"),
    modelAlert(absent, model, "critical", `absent(${sel(M.up, { job: AGENT_JOB })})`, "15m"),
  ];
  if (kafka) {
    out.push(
      modelAlert(
        kafkaLag,
        model,
        "warning",
        `${sumBy(["topic"], M.kafkaLag)} > ${num(KAFKA_LAG_WARNING)}`,
        "15m",
      ),
    );
  }
  return out;
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
  const fm = { model: first.name };
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
  const out: Scenario[] = [
    {
      name: "events dropped: 10%",
      input: [
        { series: sel(M.dropped, { reason: "queue_full" }), values: "0+10x40" },
        { series: sel(M.events, { ...fm, source: "tap" }), values: "0+90x40" },
      ],
      evalTime: "30m",
      expect: [all(dropped.name, "warning", {}, 0.1)],
    },
    {
      name: "events dropped: 0.1%",
      input: [
        { series: sel(M.dropped, { reason: "queue_full" }), values: "0+1x40" },
        { series: sel(M.events, { ...fm, source: "tap" }), values: "0+999x40" },
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
        expect: [all(kafkaLag.name, "warning", { topic: "inference.predictions" }, KAFKA_LAG_WARNING * 2)],
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
    rules: [...models.flatMap((m) => rules(m, ctx.kafka)), downOfUnknownModel(models)],
    specs: ctx.kafka ? [dropped, parseErrors, down, absent, kafkaLag] : [dropped, parseErrors, down, absent],
    scenarios: scenarios(models, ctx.kafka),
  };
};
