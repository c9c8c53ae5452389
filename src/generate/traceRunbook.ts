// The "From the alert to traces and logs" section of the latency and drift runbooks: which example
// requests to open in Tempo (exemplars, TraceQL on the agent's span attributes) and how their
// trace_id / request_id find the log lines in Loki. A cross-cutting pass on the rendered runbooks,
// chosen by alert name, so the alert specs stay about their own concern.
import { ALERT_PREFIX, LOG_SELECTOR } from "./conventions.js";

const fence = (lang: string, lines: readonly string[]): string =>
  [`\`\`\`${lang}`, ...lines, "```"].join("\n");

const TRACEQL = (extra = "") =>
  `{ resource.service.name = "infermon" && kind = server && span.infermon.model = "<model>"${extra} }`;

const LOGS = [
  `${LOG_SELECTOR} | json | trace_id="<trace_id>"`,
  `${LOG_SELECTOR} | json | request_id="<request_id>"`,
];

const NOTE =
  "Only sampled requests have traces and exemplars (`tracing.sample_ratio`, or `OTEL_TRACES_SAMPLER`); a request the client sent with a sampled `traceparent` is always traced. Every log line written about a request carries its `request_id`, and `trace_id`/`span_id` when it has a trace.";

function latency(): string[] {
  return [
    "## From the alert to traces and logs",
    "",
    "1. On the Overview dashboard's **Latency** panel the dots are exemplars: traced requests with their `trace_id`. Pick one in the slow quantile and open it in Tempo (the exemplar's link), or use the panel's **Traces in Tempo** link and the **Slow requests (Tempo)** table.",
    "2. In the trace, the tap's server span `POST <route>` has a client span for the call to the model server: the client span's duration is the model server's time; the rest is the tap (normally well under a millisecond). If the model server is traced, its spans are children of the client span.",
    "3. The spans carry `infermon.request_id` and `infermon.model_version`: compare slow requests across versions, and find their log lines in Loki by trace or request id.",
    "",
    "TraceQL (Tempo):",
    "",
    fence("traceql", [TRACEQL(" && duration > 300ms")]),
    "",
    "LogQL (Loki):",
    "",
    fence("logql", LOGS),
    "",
    NOTE,
    "",
  ];
}

function drift(): string[] {
  return [
    "## From the alert to traces and logs",
    "",
    "Drift is a statistic over many requests; example requests show what the drifted inputs look like.",
    "",
    "1. Open recent traces of the model in Tempo (below, or the Overview dashboard's **Traces in Tempo** link) from the time the drift started. The server span's `infermon.request_id` names the request; `infermon.model_version` shows whether a new version was serving.",
    "2. With `logging.log_payloads: true`, the agent logs the bodies it could not read, under the same `request_id` and `trace_id`; the model server's own logs usually carry the `x-request-id` the tap forwards.",
    "3. Events from KServe/Seldon payload loggers (CloudEvents) and Kafka have `analyze <model>` spans linked to the producer's trace: follow the link to the inference request that produced the event.",
    "",
    "TraceQL (Tempo):",
    "",
    fence("traceql", [TRACEQL(), `{ resource.service.name = "infermon" && name = "analyze <model>" }`]),
    "",
    "LogQL (Loki):",
    "",
    fence("logql", LOGS),
    "",
    NOTE,
    "",
  ];
}

/** The section for `alert`, or undefined for alerts it does not concern. */
export function traceSection(alert: string): string[] | undefined {
  if (alert === `${ALERT_PREFIX}LatencyErrorBudgetBurn`) return latency();
  if (alert.startsWith(`${ALERT_PREFIX}FeatureDrift`) || alert === `${ALERT_PREFIX}PredictionDrift`)
    return drift();
  return undefined;
}
