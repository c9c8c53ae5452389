// Fail-open: with analysis stalled on purpose, load through the tap sees no errors and every copy
// beyond the queue's capacity is dropped and counted exactly.
import { Pool } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;

beforeAll(async () => {
  upstream = await startModelServer();
  agent = new Agent(writeFixture({ upstream: upstream.url, queueSize: 50 }).config, {
    processMetrics: false,
  });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(1000);
  await upstream.close();
});

it("drops exactly what does not fit while analysis is stalled, with no client errors", async () => {
  agent.queue.pause();
  const pool = new Pool(`http://127.0.0.1:${addr.tap?.port}`, { connections: 32 });
  const body = oipRequest([creditRow(rng(3))]);
  const total = 1000;
  const expected = await send(`${upstream.url}/v2/models/credit/infer`, { body });
  let errors = 0;
  let different = 0;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      try {
        const r = await pool.request({ path: "/v2/models/credit/infer", method: "POST", body });
        const b = Buffer.from(await r.body.arrayBuffer());
        if (r.statusCode !== 200) errors++;
        else if (!b.equals(expected.body)) different++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await pool.close();
  expect(errors).toBe(0);
  expect(different).toBe(0);
  let m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  expect(metricValue(m, "infermon_queue_depth")).toBe(50);
  expect(metricValue(m, "infermon_events_dropped_total", { reason: "queue_full" })).toBe(total - 50);
  expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "200" })).toBe(total);
  agent.queue.resume();
  await agent.queue.idle();
  m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(50);
  expect(metricValue(m, "infermon_queue_depth")).toBe(0);
});
