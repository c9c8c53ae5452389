// Every series an alert or SLI reads with rate()/increase() exists at 0 from the start: a series
// that first appears at 1 loses that increment (after a restart, the first 5xx of a model would be
// missing from the availability SLI).
import { PARSE_ERROR_REASONS, PREDICTION_ERROR_REASONS } from "../adapters/inferenceEvent.js";
import type { Config } from "../config/model.js";
import { UNKNOWN_MODEL } from "./labelValues.js";
import { LISTENER_REJECT_REASONS, type ListenerRejectReason } from "./listenerLimits.js";
import type { AgentMetrics } from "./metrics.js";
import { DROP_REASONS, IGNORE_REASONS, INGEST_PARSE_ERROR_REASONS } from "./reasons.js";

/** The codes the SLIs and runbooks select: success, and the 5xx a model or the tap (502, 504) answers. */
export const INITIAL_CODES = [200, 500, 502, 504] as const;

/** What each listener can refuse (the tap never answers 503 or 401: it passes traffic on). */
const TAP_REJECTS: readonly ListenerRejectReason[] = [
  "max_connections",
  "read_timeout",
  "bad_request",
  "header_too_large",
];

export function createInitialSeries(m: AgentMetrics, config: Config): void {
  if (config.tap) for (const reason of TAP_REJECTS) m.listenerRejected.labels({ listener: "tap", reason });
  for (const listener of config.ingest ? ["ingest", "metrics"] : ["metrics"])
    for (const reason of LISTENER_REJECT_REASONS)
      if (listener === "ingest" || reason !== "memory_budget")
        m.listenerRejected.labels({ listener, reason });
  for (const reason of DROP_REASONS) m.dropped.labels({ reason });
  for (const model of config.models) {
    for (const reason of PARSE_ERROR_REASONS) m.parseErrors.labels({ model: model.name, reason });
    if (model.prediction.monitored && model.protocol !== "openai-chat")
      for (const reason of PREDICTION_ERROR_REASONS)
        m.predictionReadErrors.labels({ model: model.name, reason });
    if (config.tap) m.events.labels({ model: model.name, source: "tap" });
    if (config.ingest) {
      m.events.labels({ model: model.name, source: "cloudevents" });
      m.events.labels({ model: model.name, source: "http" });
    }
  }
  if (config.ingest) {
    for (const reason of INGEST_PARSE_ERROR_REASONS) m.parseErrors.labels({ model: UNKNOWN_MODEL, reason });
    for (const reason of IGNORE_REASONS) m.ignored.labels({ reason });
    m.pairConflicts.labels({});
  }
}
