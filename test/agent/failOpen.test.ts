// Fail-open: with analysis stalled on purpose, load through the tap sees no errors and every copy
// beyond the queue's capacity is dropped and counted exactly. With a tight analysis budget, load
// that keeps requests in flight makes analysis fall behind: copies are dropped and counted, none
// is lost, and no client sees a difference.
import { Pool } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import type { BudgetOptions } from "../../src/monitor/analysisBudget.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
let tight: Agent;
let tightAddr: Addresses;
let saturated: Agent;
let saturatedAddr: Addresses;

/** An agent with a queue of 50 in front of the test's upstream, and the given analysis budget. */
async function startAgent(analysisBudget?: BudgetOptions): Promise<[Agent, Addresses]> {
  const a = new Agent(writeFixture({ upstream: upstream.url, queueSize: 50 }).config, {
    processMetrics: false,
    analysisBudget,
  });
  return [a, await a.start()];
}

// a budget that leaves analysis about 0.1–1 % of the loop while requests are in flight
const TIGHT = { floor: 0.001, headroom: 0.99, busyPassMs: 0.1, idlePassMs: 0.5 };

beforeAll(async () => {
  upstream = await startModelServer();
  [agent, addr] = await startAgent();
  [tight, tightAddr] = await startAgent({ ...TIGHT, windowMs: 50, saturated: 0.95 });
  // every window counts as saturated: copies beyond the shedding backlog (half the queue, 25) are
  // shed at once as "overload"
  [saturated, saturatedAddr] = await startAgent({ ...TIGHT, windowMs: 20, saturated: 1e-9 });
});

afterAll(async () => {
  await agent.stop(1000);
  await tight.stop(1000);
  await saturated.stop(1000);
  await upstream.close();
});

/** `total` requests at concurrency 32 through the tap; every answer must be the upstream's own. */
async function loadUnchanged(port: number | undefined, total: number, seed: number): Promise<void> {
  const body = oipRequest([creditRow(rng(seed))]);
  const expected = (await send(`${upstream.url}/v2/models/credit/infer`, { body })).body;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
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
        else if (!b.equals(expected)) different++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await pool.close();
  expect(errors).toBe(0);
  expect(different).toBe(0);
}

it("drops exactly what does not fit while analysis is stalled, with no client errors", async () => {
  agent.queue.pause();
  const total = 1000;
  await loadUnchanged(addr.tap?.port, total, 3);
  let m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  // the queue holds 50; once the loop counts as saturated (client and agent share this test's event
  // loop) copies beyond half of it are shed as "overload" instead: either way every copy is counted
  const depth = metricValue(m, "infermon_queue_depth") ?? 0;
  expect(depth).toBeGreaterThanOrEqual(25);
  expect(depth).toBeLessThanOrEqual(50);
  const drops =
    (metricValue(m, "infermon_events_dropped_total", { reason: "queue_full" }) ?? 0) +
    (metricValue(m, "infermon_events_dropped_total", { reason: "overload" }) ?? 0);
  expect(drops).toBe(total - depth);
  expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "200" })).toBe(total);
  agent.queue.resume();
  await agent.queue.idle();
  m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(depth);
  expect(metricValue(m, "infermon_queue_depth")).toBe(0);
});

it("sheds analysis, counted, while requests keep arriving faster than its budget allows", async () => {
  const total = 2000;
  await loadUnchanged(tightAddr.tap?.port, total, 4);
  await tight.queue.idle();
  const m = parseMetrics((await send(`http://127.0.0.1:${tightAddr.metrics.port}/metrics`)).body.toString());
  const analysed = metricValue(m, "infermon_events_total", { model: "credit", source: "tap" });
  // shed at once while the loop is saturated, or when the queue is full
  const dropped =
    (metricValue(m, "infermon_events_dropped_total", { reason: "queue_full" }) ?? 0) +
    (metricValue(m, "infermon_events_dropped_total", { reason: "overload" }) ?? 0);
  expect(dropped).toBeGreaterThan(0);
  expect(analysed).toBeGreaterThan(0);
  // one row per request: every copy was either analysed or dropped and counted
  expect((analysed ?? 0) + dropped).toBe(total);
  expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "200" })).toBe(total);
});

it("sheds copies at once, as overload, while the event loop is saturated", async () => {
  const total = 1000;
  await loadUnchanged(saturatedAddr.tap?.port, total, 5);
  await saturated.queue.idle();
  const m = parseMetrics(
    (await send(`http://127.0.0.1:${saturatedAddr.metrics.port}/metrics`)).body.toString(),
  );
  const analysed = metricValue(m, "infermon_events_total", { model: "credit", source: "tap" }) ?? 0;
  const overload = metricValue(m, "infermon_events_dropped_total", { reason: "overload" }) ?? 0;
  const queueFull = metricValue(m, "infermon_events_dropped_total", { reason: "queue_full" }) ?? 0;
  expect(overload).toBeGreaterThan(0);
  // shed before the queue fills: with the backlog at half the queue, nothing reaches queue_full
  expect(queueFull).toBe(0);
  expect(analysed + overload).toBe(total);
});
