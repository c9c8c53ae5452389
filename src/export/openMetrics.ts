// OpenMetrics exposition of the agent's Registry, for scrapers that ask for it (Prometheus with
// exemplar storage sends `Accept: application/openmetrics-text`): the only format that carries the
// latency histogram's trace_id exemplars. prom-client picks the format per Registry, and its
// OpenMetrics pass renames counters in place (drops `_total` from `metric.name`), so each scrape
// builds a throwaway OpenMetrics Registry of views over the same metrics instead of sharing them.
import { type OpenMetricsContentType, Registry } from "prom-client";

interface MetricLike {
  name: string;
  help: string;
  type: string;
  get(): Promise<{ name: string }> | { name: string };
}

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

export function openMetricsText(registry: Registry): Promise<string> {
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const m of registry.getMetricsAsArray() as unknown as MetricLike[]) {
    const counter = m.type === "counter";
    const view = {
      name: m.name,
      help: m.help,
      type: m.type,
      async get() {
        const r = await m.get();
        // an OpenMetrics counter family is named without `_total`; its sample adds it back
        return counter ? { ...r, name: r.name.replace(/_total$/, "") } : r;
      },
    };
    om.registerMetric(view as never);
  }
  return om.metrics();
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
