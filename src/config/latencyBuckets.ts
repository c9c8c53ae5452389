// One definition of the latency histogram's buckets for the agent and the generator: the latency
// SLI counts requests in the `le="<threshold>"` bucket, so every configured SLO threshold is a
// bucket boundary by construction.
import type { Config } from "./model.js";

export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Bucket bounds of infermon_inference_request_duration_seconds for this configuration. */
export function latencyBuckets(config: Pick<Config, "models">): number[] {
  const set = new Set(DEFAULT_LATENCY_BUCKETS);
  for (const m of config.models) if (m.slo.latency) set.add(m.slo.latency.threshold);
  return [...set].sort((a, b) => a - b);
}
