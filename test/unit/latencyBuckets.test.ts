import { describe, expect, it } from "vitest";
import { DEFAULT_LATENCY_BUCKETS, latencyBuckets } from "../../src/config/latencyBuckets.js";
import { loadConfig } from "../../src/config/load.js";
import { AgentMetrics } from "../../src/export/metrics.js";

describe("latency buckets", () => {
  const config = loadConfig("examples/infermon.yaml");
  it("include every configured SLO threshold, sorted, once", () => {
    const b = latencyBuckets(config);
    expect(b).toContain(0.3); // credit's latency SLO
    expect(DEFAULT_LATENCY_BUCKETS).not.toContain(0.3);
    expect([...b].sort((x, y) => x - y)).toEqual(b);
    expect(new Set(b).size).toBe(b.length);
  });
  it("are what the agent's histogram exposes, so the SLI's le bucket exists", async () => {
    const m = new AgentMetrics({
      version: "t",
      latencyBuckets: latencyBuckets(config),
      processMetrics: false,
    });
    m.requestDuration.observe({ model: "credit", model_version: "3" }, 0.2);
    const text = await m.registry.metrics();
    expect(text).toMatch(/infermon_inference_request_duration_seconds_bucket\{[^}]*le="0\.3"[^}]*\} 1/);
  });
});
