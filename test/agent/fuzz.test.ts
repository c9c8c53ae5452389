// Property-based: arbitrary request bodies and arbitrary upstream response bodies through a model
// route come back exactly as the upstream sent them; the agent never crashes and counts what it
// could not read.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { endToEnd, send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
let tap: string;

beforeAll(async () => {
  upstream = await startModelServer();
  agent = new Agent(writeFixture({ upstream: upstream.url, maxBodyBytes: 2048 }).config, {
    processMetrics: false,
  });
  addr = await agent.start();
  tap = `http://127.0.0.1:${addr.tap?.port}`;
});

afterAll(async () => {
  await agent.stop(1000);
  await upstream.close();
});

const valid = oipRequest([creditRow(rng(1)), creditRow(rng(2))]);

/** Bodies a model server may see: random bytes, JSON-ish values, truncated or mangled valid ones. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  fc.json().map((s) => Buffer.from(s)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify({ inputs: v, outputs: v, id: v }))),
  fc.nat({ max: valid.length }).map((n) => Buffer.from(valid.slice(0, n))),
  fc
    .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ maxLength: 5 }))
    .map(([i, s]) => Buffer.from(valid.slice(0, i) + s + valid.slice(i + 1))),
);

it("request bodies: responses unchanged, no crash", async () => {
  await fc.assert(
    fc.asyncProperty(body, async (b) => {
      const opts = { headers: { "content-type": "application/json" }, body: b };
      const direct = await send(`${upstream.url}/v2/models/credit/infer`, opts);
      const tapped = await send(`${tap}/v2/models/credit/infer`, opts);
      expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    }),
    { numRuns: 150 },
  );
});

it("response bodies: responses unchanged, no crash, unreadable ones counted", async () => {
  await fc.assert(
    fc.asyncProperty(body, async (reply) => {
      const opts = { headers: { "x-reply-b64": reply.toString("base64") }, body: valid };
      const direct = await send(`${upstream.url}/v2/models/credit/infer`, opts);
      const tapped = await send(`${tap}/v2/models/credit/infer`, opts);
      expect(endToEnd(tapped)).toEqual(endToEnd(direct));
      expect(tapped.body.equals(reply)).toBe(true);
    }),
    { numRuns: 150 },
  );
  await agent.queue.idle();
  const m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  expect(metricValue(m, "infermon_parse_errors_total", { model: "credit" })).toBeGreaterThan(0);
  expect(metricValue(m, "infermon_events_dropped_total", { reason: "analysis_error" }) ?? 0).toBe(0);
  // still serving
  expect((await send(`${tap}/v2/models/credit/infer`, { body: valid })).status).toBe(200);
});
