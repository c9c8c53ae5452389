// OpenMetrics exposition of the agent's Registry, for scrapers that ask for it (Prometheus with
// exemplar storage sends `Accept: application/openmetrics-text`): the only format that carries the
// latency histogram's trace_id exemplars. prom-client picks the format per Registry, and its
// OpenMetrics pass renames counters in place (drops `_total` from `metric.name`), so the
// renderer (metricsText.ts) formats with a throwaway OpenMetrics Registry instead of sharing them.
import { Registry } from "prom-client";
import { metricsText } from "./metricsText.js";

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

/** The registry in OpenMetrics, whole (tests; /metrics streams it: metricsText.ts). */
export function openMetricsText(registry: Registry): Promise<string> {
  return metricsText(registry, true);
}

/** True when the Accept header asks for OpenMetrics (and does not refuse it with q=0). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    if (type?.toLowerCase() !== "application/openmetrics-text") continue;
    const q = params.find((p) => p.startsWith("q="));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
