// The agent alerts' documentation: summary, templated description and runbook of each (the rules
// are in agent.ts, the promtool scenarios in agentScenarios.ts).

import { LOG } from "../../export/logMessages.js";
import {
  AGENT_JOB,
  AGENT_POD_SELECTOR,
  ALERT_PREFIX,
  DROP_WARNING_RATIO,
  KAFKA_LAG_WARNING,
  LOG_SELECTOR,
  MODEL_POD_LABEL,
  PARSE_ERROR_WARNING_RATIO,
} from "../conventions.js";
import { M, num } from "../promql.js";
import type { AlertSpec } from "./types.js";

/** The logs of the alert's own agent pod (its target's namespace and pod labels). */
const podLogs = `${LOG_SELECTOR.replace("}", ', namespace="{{ $labels.namespace }}", pod="{{ $labels.pod }}"}')} | json | level >= 40`;
const agentLogs = `${LOG_SELECTOR} | json | level >= 40`;

export const dropped: AlertSpec = {
  name: `${ALERT_PREFIX}EventsDropped`,
  concern: "agent",
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
      `sum by (instance, reason) (rate(${M.dropped}{instance="{{ $labels.instance }}"}[5m]))`,
      `max by (instance) (${M.queueDepth}{instance="{{ $labels.instance }}"})`,
      `sum by (instance, model, source) (rate(${M.events}{instance="{{ $labels.instance }}"}[5m]))`,
    ],
    logql: [`${podLogs.replace(" | level >= 40", "")} | msg="${LOG.copiesDropped}"`, podLogs],
    mitigation: [
      "Give the agent more CPU, or run more replicas (sidecar per model pod scales with the model).",
      "Raise `tap.queue_size` for bursty traffic, or `tap.max_body_bytes` for large payloads (memory grows accordingly).",
    ],
  },
};

export const parseErrors: AlertSpec = {
  name: `${ALERT_PREFIX}ParseErrors`,
  concern: "agent",
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
    logql: [`${LOG_SELECTOR} | json | model="<model>" | msg="${LOG.parseError}"`],
    mitigation: [
      "Align `models[].protocol`, `prediction.output` and the feature names with what the server sends, then redeploy the config.",
      "If the server changed by mistake, roll it back.",
    ],
  },
};

export const down: AlertSpec = {
  name: `${ALERT_PREFIX}AgentDown`,
  concern: "agent",
  summary: "Prometheus cannot scrape an infermon agent.",
  description: `Prometheus failed to scrape infermon target {{ $labels.instance }} (job {{ $labels.job }}); monitoring of model {{ $labels.model }} from that target may be blind.`,
  dashboard: "agent",
  runbook: {
    meaning: `A target of the \`${AGENT_JOB}\` scrape job has been down for 5m: the agent crashed, is restarting, or its metrics port is unreachable. The alert carries the target's labels (\`instance\`, \`pod\`, \`namespace\`, …); it names a \`model\` and goes to that model's owner only when the scrape target has a \`model\` label (the generated PodMonitor copies the pod label \`${MODEL_POD_LABEL}\`), otherwise it goes to \`alerting.default_receiver\`.`,
    impact:
      "Drift, prediction and quality metrics from that agent stop; alerts from the same target (same `instance`, and same `model` when the target has one) are inhibited in Alertmanager while this fires — other pods and other models keep paging. With the tap in the request path, check that the model still serves traffic.",
    diagnosis: [
      `Check the pod: \`kubectl get pods -n <namespace> -l ${AGENT_POD_SELECTOR}\` lists every agent pod of the namespace (the alert's \`namespace\` label); \`kubectl describe pod -n <namespace> <pod>\` (its \`pod\` label) shows restarts and OOM kills.`,
      "Open the Agent health dashboard: memory before the failure.",
      "Read the agent's last log lines.",
    ],
    promql: [
      `up{job="${AGENT_JOB}",instance="{{ $labels.instance }}"}`,
      `process_resident_memory_bytes{job="${AGENT_JOB}",instance="{{ $labels.instance }}"}`,
    ],
    logql: [podLogs],
    mitigation: [
      "Restart the pod; if it was OOM killed, raise its memory limit or lower `tap.queue_size` / `labels.max_pending`.",
      "If the metrics listener moved, fix `metrics.listen` or the scrape config.",
    ],
  },
};

export const absent: AlertSpec = {
  name: `${ALERT_PREFIX}AgentAbsent`,
  concern: "agent",
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

export const kafkaLag: AlertSpec = {
  name: `${ALERT_PREFIX}KafkaConsumerLagHigh`,
  concern: "agent",
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
    logql: [
      `${LOG_SELECTOR} | json | msg=~"${[LOG.kafkaConsumerCrashed, LOG.kafkaConsumerNotStarted, LOG.kafkaOffsetsRetried].join("|")}"`,
      `${LOG_SELECTOR} | json | msg=~"${LOG.kafkaClientPrefix}.*"`,
    ],
    mitigation: [
      "Scale the aggregator deployment (one consumer per partition at most).",
      "Restart a stuck consumer; check broker health.",
    ],
  },
};
