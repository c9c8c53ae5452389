// Agent health: events, drops, parse errors, ignored events, pairing conflicts, queue depth, Kafka
// lag, memory, and its logs. Agent-wide counters (no model label) are shown per agent (instance),
// as the alerts on them fire per agent.
import { AGENT_JOB, ALERT_PREFIX, LOG_SELECTOR } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { M, sel } from "../promql.js";
import { type DashboardParts, logs, q, RATE, stat, timeseries } from "./common.js";

export function agent(links: LinkBase): DashboardParts {
  const job = sel(M.up, { job: AGENT_JOB, namespace: { re: "$namespace" } });
  const proc = sel(M.residentMemory, { job: AGENT_JOB, namespace: { re: "$namespace" } });
  const ns = { namespace: { re: "$namespace" } };
  return {
    key: "agent",
    description: "Health of the infermon agents: throughput, drops, errors, queues, Kafka and memory.",
    panels: [
      stat(
        {
          title: "Agents up",
          description: "Scrape targets of the infermon job that are up.",
          unit: "short",
          targets: [{ expr: `sum(${job})`, legend: "up", instant: true }],
          span: 6,
          height: 5,
          runbook: `${ALERT_PREFIX}AgentDown`,
        },
        links,
      ),
      stat(
        {
          title: "Versions",
          description: "Running agents per infermon version.",
          unit: "short",
          targets: [
            { expr: `count by (version) (${sel(M.buildInfo, ns)})`, legend: "{{version}}", instant: true },
          ],
          span: 6,
          height: 5,
        },
        links,
      ),
      timeseries(
        {
          title: "Queue depth",
          description: "Events waiting for analysis per agent; near tap.queue_size, events get dropped.",
          unit: "short",
          targets: [{ expr: `max by (instance) (${sel(M.queueDepth, ns)})`, legend: "{{instance}}" }],
          span: 12,
          height: 5,
        },
        links,
      ),
      timeseries(
        {
          title: "Events analysed",
          description: "Inference events analysed per second, per model and source.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, source) (rate(${q(M.events, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{source}}",
            },
          ],
          span: 8,
        },
        links,
      ),
      timeseries(
        {
          title: "Events dropped",
          description:
            "Copies of traffic not analysed per second, per agent and reason (queue_full, overload, body_too_large, unpaired, …).",
          unit: "ops",
          targets: [
            {
              expr: `sum by (instance, reason) (rate(${sel(M.dropped, ns)}[${RATE}]))`,
              legend: "{{instance}} {{reason}}",
            },
          ],
          span: 8,
          runbook: `${ALERT_PREFIX}EventsDropped`,
        },
        links,
      ),
      timeseries(
        {
          title: "Parse errors",
          description:
            "Bodies that could not be read as the model's protocol, per second, per model and reason.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, reason) (rate(${q(M.parseErrors, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{reason}}",
            },
          ],
          span: 8,
          runbook: `${ALERT_PREFIX}ParseErrors`,
        },
        links,
      ),
      timeseries(
        {
          title: "Predictions not read",
          description:
            "Predictions per second that could not be read as configured, per model and reason: output_not_found (prediction.output is not in the response), labels_not_scores / scores_not_labels (the output holds the other kind than the reference profile's prediction). The events' features are still analysed; the agent's log line says what to change.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, reason) (rate(${q(M.predictionReadErrors, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{reason}}",
            },
          ],
          span: 8,
          runbook: `${ALERT_PREFIX}ParseErrors`,
        },
        links,
      ),
      timeseries(
        {
          title: "Events ignored",
          description:
            "Logger events with nothing to analyse per second, per agent and reason (empty_body: KServe logs its health GETs). Not errors, not drops; no alert reads them.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (instance, reason) (rate(${sel(M.ignored, ns)}[${RATE}]))`,
              legend: "{{instance}} {{reason}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Pairing conflicts",
          description:
            "CloudEvent halves per second, per agent, whose id was already waiting for a different model: two services reuse request ids. Such halves are never paired across models; each waits for its own partner (or is dropped as unpaired).",
          unit: "ops",
          targets: [
            {
              expr: `sum by (instance) (rate(${sel(M.pairingConflicts, ns)}[${RATE}]))`,
              legend: "{{instance}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Kafka consumer lag",
          description: "Messages behind per topic and partition.",
          unit: "short",
          targets: [
            { expr: `sum by (topic, partition) (${sel(M.kafkaLag, ns)})`, legend: "{{topic}}/{{partition}}" },
          ],
          span: 8,
          runbook: `${ALERT_PREFIX}KafkaConsumerLagHigh`,
        },
        links,
      ),
      timeseries(
        {
          title: "Kafka messages",
          description: "Kafka messages consumed per second, per topic and outcome.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (topic, outcome) (rate(${sel(M.kafkaMessages, ns)}[${RATE}]))`,
              legend: "{{topic}} {{outcome}}",
            },
          ],
          span: 8,
        },
        links,
      ),
      timeseries(
        {
          title: "Predictions forwarded to the join",
          description:
            "Predictions per second that sidecars and node agents forward to the label join (forward:), per agent and outcome (sent, dropped: buffer full, failed: refused or unreachable after retries), and what the join received (recorded, duplicate, unknown_model, invalid).",
          unit: "ops",
          targets: [
            {
              expr: `sum by (instance, outcome) (rate(${sel(M.forwarded, ns)}[${RATE}]))`,
              legend: "{{instance}} {{outcome}}",
            },
            {
              expr: `sum by (outcome) (rate(${sel(M.received, ns)}[${RATE}]))`,
              legend: "join: {{outcome}}",
            },
          ],
          span: 8,
        },
        links,
      ),
      timeseries(
        {
          title: "Memory",
          description: "Resident memory of each agent process.",
          unit: "bytes",
          targets: [{ expr: `max by (instance) (${proc})`, legend: "{{instance}}" }],
          span: 8,
        },
        links,
      ),
      timeseries(
        {
          title: "Buffered bytes",
          description:
            "Bytes of request bodies and copies each agent holds (tap, ingest, analysis queue); at limits.max_buffered_bytes the ingest answers 503 and the tap stops copying.",
          unit: "bytes",
          targets: [{ expr: `max by (instance) (${sel(M.bufferedBytes, ns)})`, legend: "{{instance}}" }],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Requests refused by listeners",
          description:
            "Connections and requests refused per second, per agent, listener and reason: max_connections, read_timeout (a body that stalled), memory_budget (ingest 503), unauthorized, forbidden, bad_request, header_too_large.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (instance, listener, reason) (rate(${sel(M.listenerRejected, ns)}[${RATE}]))`,
              legend: "{{instance}} {{listener}} {{reason}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Label join across restarts",
          description:
            "Label-join entries brought back after a restart or a Kafka rebalance (from=kafka: records replayed from a partition's checkpoint; from=state_file: entries read at start), and those that could not be (records Kafka no longer holds; entries waiting when the previous run was killed).",
          unit: "short",
          targets: [
            {
              expr: `sum by (instance, from) (increase(${sel(M.joinRestored, ns)}[${RATE}]))`,
              legend: "{{instance}} restored {{from}}",
            },
            {
              expr: `sum by (instance, from) (increase(${sel(M.joinUnrecovered, ns)}[${RATE}]))`,
              legend: "{{instance}} unrecovered {{from}}",
            },
          ],
          span: 24,
        },
        links,
      ),
      logs({
        title: "Agent logs",
        description: "Warnings and errors logged by the agents (pino JSON in Loki), for the selected models.",
        expr: `${LOG_SELECTOR} | json | level >= 40 | model =~ "$model" or model = ""`,
      }),
    ],
  };
}
