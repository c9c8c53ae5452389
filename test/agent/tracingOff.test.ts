// Tracing off (the default) is a no-op: no traceparent is created, the client's passes unchanged,
// /metrics has no exemplars even as OpenMetrics; and a request's log lines still carry the client's
// trace (trace_id/span_id from its traceparent).
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

let upstream: ModelServer;
beforeAll(async () => {
  upstream = await startModelServer();
});
afterAll(async () => {
  await upstream.close();
});

describe("tracing off", () => {
  it("creates no traceparent, passes the client's unchanged, exports no exemplars", async () => {
    const a = new Agent(writeFixture({ upstream: upstream.url }).config, { processMetrics: false });
    expect(a.tracing.enabled).toBe(false);
    const ad = await a.start();
    try {
      const url = `http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`;
      const body = oipRequest([creditRow(rng(1))]);
      const n = upstream.headers.length;
      expect((await send(url, { body })).status).toBe(200);
      expect((await send(url, { body, headers: { traceparent: TP, tracestate: "a=b" } })).status).toBe(200);
      expect(upstream.headers[n]?.traceparent).toBeUndefined();
      expect(upstream.headers[n + 1]?.traceparent).toBe(TP);
      expect(upstream.headers[n + 1]?.tracestate).toBe("a=b");
      const om = await send(`http://127.0.0.1:${ad.metrics.port}/metrics`, {
        headers: { accept: "application/openmetrics-text; version=1.0.0" },
      });
      expect(om.body.toString()).toMatch(/^infermon_inference_request_duration_seconds_bucket\{/m);
      expect(om.body.toString()).not.toContain("trace_id");
    } finally {
      await a.stop(0);
    }
  });

  it("a request's log line carries the client's trace ids", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const a = new Agent(writeFixture({ upstream: "http://127.0.0.1:1" }).config, {
      processMetrics: false,
      logger,
    });
    const ad = await a.start();
    try {
      const r = await send(`http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`, {
        body: oipRequest([creditRow(rng(2))]),
        headers: { traceparent: TP, "x-request-id": "req-off-1" },
      });
      expect(r.status).toBe(502);
      expect(lines.find((l) => l.request_id === "req-off-1")).toMatchObject({
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        span_id: "b7ad6b7169203331",
      });
    } finally {
      await a.stop(0);
    }
  });
});
