// The proxy's loop stays the proxy's (issue #16 §4): a large ingest body is read and applied in
// slices, with turns of the event loop between them, and /metrics is streamed from the same slices,
// byte for byte what prom-client writes. Neither counts as the proxy's need in the analysis budget.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";

let agent: Agent;
let addr: Addresses;

beforeAll(async () => {
  agent = new Agent(writeFixture({ ingest: true }).config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(500);
});

/** Turns of the event loop while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<[T, number]> {
  let turns = 0;
  let on = true;
  const tick = () => {
    turns++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return [await work(), turns];
  } finally {
    on = false;
  }
}

it("reads a 6 MiB NDJSON body of events in slices, giving the loop turns, and loses no event", async () => {
  const r = rng(3);
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < 6 * 1024 * 1024) {
    const line = JSON.stringify({
      model: "credit",
      id: `e${lines.length}`,
      features: creditRow(r),
      prediction: 0.4,
    });
    lines.push(line);
    bytes += line.length + 1;
  }
  const body = `${lines.join("\n")}\n`;
  // the slices the ingest reported to the analysis budget as monitoring work
  const budget = agent.pipeline.budget;
  const spendOutside = budget.spendOutside.bind(budget);
  const slices: number[] = [];
  budget.spendOutside = (ms: number) => {
    slices.push(ms);
    spendOutside(ms);
  };
  const [res, turns] = await turnsDuring(() =>
    send(`http://127.0.0.1:${addr.ingest?.port}/v1/events`, {
      body,
      headers: { "content-type": "application/x-ndjson" },
    }),
  );
  expect(res.status).toBe(202);
  const counts = JSON.parse(res.body.toString()) as { accepted: number; rejected: number };
  // every event has an outcome: accepted, or refused by a full queue (counted as queue_full)
  expect(counts.accepted + counts.rejected).toBe(lines.length);
  budget.spendOutside = spendOutside;
  // ~17,000 events: read and applied in many slices of about a millisecond (more on a busy machine),
  // where one JSON.parse of the whole body held the loop for all of it
  expect(slices.length).toBeGreaterThanOrEqual(10);
  expect(turns).toBeGreaterThanOrEqual(slices.length - 1);
  // reading it was monitoring work, not the proxy's need
  expect(agent.pipeline.budget.saturated).toBe(false);
});

it("streams /metrics byte for byte as the registry writes it, and answers HEAD without rendering", async () => {
  await agent.queue.idle();
  const [res, turns] = await turnsDuring(() => send(`http://127.0.0.1:${addr.metrics.port}/metrics`));
  expect(res.status).toBe(200);
  expect(res.body.toString()).toBe(await agent.metrics.registry.metrics());
  expect(turns).toBeGreaterThan(0);
  const head = await send(`http://127.0.0.1:${addr.metrics.port}/metrics`, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(head.body.length).toBe(0);
});
