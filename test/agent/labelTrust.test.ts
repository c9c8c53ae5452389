// Issue #16 §2–§3 through the agent's real listeners: labels that disagree cannot pre-empt the
// truth (a conflict is counted and, by default, voids the id), labels are attributed to their
// source, and a flood of labels from one source cannot evict the predictions another holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { creditScore, type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;

async function metrics(): Promise<Sample[]> {
  await agent.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

async function postLabels(lines: unknown[]): Promise<Record<string, number>> {
  const r = await send(`http://127.0.0.1:${addr.ingest?.port}/v1/labels`, {
    body: lines.map((x) => JSON.stringify(x)).join("\n"),
  });
  expect(r.status).toBe(202);
  return JSON.parse(r.body.toString());
}

/** `n` predictions through the tap with ids `${prefix}-i`; returns each id's predicted class. */
async function predict(n: number, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const row = creditRow(rng(i + 1));
    const id = `${prefix}-${i}`;
    const r = await send(`http://127.0.0.1:${addr.tap?.port}/v2/models/credit/infer`, {
      headers: { "content-type": "application/json" },
      body: oipRequest([row], id),
    });
    expect(r.status).toBe(200);
    out.set(id, creditScore(row.income as number, row.score as number) >= 0.5 ? "1" : "0");
  }
  await agent.idle();
  return out;
}

beforeAll(async () => {
  upstream = await startModelServer();
  const { config } = writeFixture({ upstream: upstream.url, ingest: true, minSamples: 1 });
  const credit = config.models[0];
  if (!credit) throw new Error("no model");
  credit.labels = { ...credit.labels, maxPending: 2_000, maxPendingPerSource: 2_000 };
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop(100);
  await upstream?.close();
});

describe("labels that cannot be pre-empted", () => {
  it("forged labels sent before the truth are conflicts: they void the id, never flip accuracy", async () => {
    const truth = await predict(30, "attack");
    // the forger says the opposite of every prediction, before the truth arrives
    const forged = await postLabels(
      [...truth].map(([id, c]) => ({ model: "credit", id, label: c === "1" ? "0" : "1" })),
    );
    expect(forged.matched).toBe(30);
    const real = await postLabels([...truth].map(([id, c]) => ({ model: "credit", id, label: c })));
    expect(real).toMatchObject({ conflict: 30, matched: 0, duplicate: 0 });
    const m = await metrics();
    expect(
      metricValue(m, "infermon_labels_total", { model: "credit", outcome: "conflict", source: "http" }),
    ).toBe(30);
    // the forged joins were taken back from the windows: nothing is reported as accuracy 0
    expect(metricValue(m, "infermon_window_labeled_samples", { model: "credit", window: "5m" })).toBe(0);
    expect(metricValue(m, "infermon_model_accuracy", { model: "credit", window: "5m" })).toBeUndefined();
    // honest labels for fresh predictions still count
    const honest = await predict(10, "honest");
    expect(
      (await postLabels([...honest].map(([id, c]) => ({ model: "credit", id, label: c })))).matched,
    ).toBe(10);
    expect(metricValue(await metrics(), "infermon_model_accuracy", { model: "credit", window: "5m" })).toBe(
      1,
    );
  }, 60_000);
});

describe("a label flood", () => {
  it("cannot evict the predictions the tap holds (fair eviction by source)", async () => {
    const held = await predict(300, "held");
    // 3 NDJSON requests of 5,000 fresh ids each: 7.5 × max_pending
    for (let b = 0; b < 3; b++)
      await postLabels(
        Array.from({ length: 5_000 }, (_, i) => ({ model: "credit", id: `flood-${b}-${i}`, label: "1" })),
      );
    const m0 = await metrics();
    expect(metricValue(m0, "infermon_label_join_evicted_total", { model: "credit", source: "tap" })).toBe(0);
    expect(
      (metricValue(m0, "infermon_label_join_evicted_total", { model: "credit", source: "http" }) ?? 0) >
        10_000,
    ).toBe(true);
    // every held prediction still joins its label
    const r = await postLabels([...held].map(([id, c]) => ({ model: "credit", id, label: c })));
    expect(r.matched).toBe(300);
  }, 120_000);
});
