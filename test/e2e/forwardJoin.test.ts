// Labels across replicas without Kafka: three sidecar processes (`forward:`) each tap their share
// of a model's traffic and forward the predictions they analysed to one joining agent; labels
// POSTed to that agent join every prediction exactly once, whichever replica served it. The
// forwarders are bounded and fail-open: with the join away, traffic still flows and the lost
// predictions are counted.
import { appendFileSync } from "node:fs";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const PER_SIDECAR = 40;

let upstream: ModelServer;
const agents: AgentProcess[] = [];
let joiner: AgentProcess;
let sidecars: AgentProcess[] = [];

async function scrape(a: AgentProcess): Promise<Sample[]> {
  const r = await request(`http://127.0.0.1:${a.ports.metrics}/metrics`);
  return parseMetrics(await r.body.text());
}

async function until(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fixture config with `forward:` (or without tap, as the joining agent). */
function config(o: { forwardTo?: number; joiner?: boolean }): string {
  const f = writeFixture({ upstream: upstream.url, tap: !o.joiner, ingest: o.joiner === true });
  if (o.forwardTo !== undefined)
    appendFileSync(
      f.file,
      `forward: {url: "http://127.0.0.1:${o.forwardTo}", flush_interval: 100ms, timeout: 2s}\n`,
    );
  return f.file;
}

beforeAll(async () => {
  upstream = await startModelServer();
  joiner = await startAgent(config({ joiner: true }));
  agents.push(joiner);
  sidecars = await Promise.all([0, 1, 2].map(() => startAgent(config({ forwardTo: joiner.ports.ingest }))));
  agents.push(...sidecars);
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await upstream?.close();
});

describe("three sidecars forward to one joining agent", () => {
  const ids: string[] = [];

  it("each sidecar proxies its share and forwards what it analysed; the join records each once", async () => {
    const r = rng(7);
    await Promise.all(
      sidecars.map(async (s, k) => {
        for (let i = 0; i < PER_SIDECAR; i++) {
          const id = `s${k}-req-${i}`;
          ids.push(id); // one row: the request id itself (several rows: <id>:<row>)
          const res = await request(`http://127.0.0.1:${s.ports.tap}/v2/models/credit/infer`, {
            method: "POST",
            body: oipRequest([creditRow(r)], id),
            headers: { "content-type": "application/json" },
          });
          expect(res.statusCode).toBe(200);
          await res.body.dump();
        }
      }),
    );
    const total = 3 * PER_SIDECAR;
    await until("the join to record every forwarded prediction", async () => {
      const m = await scrape(joiner);
      return metricValue(m, "infermon_predictions_received_total", { outcome: "recorded" }) === total;
    });
    for (const s of sidecars) {
      const m = await scrape(s);
      expect(metricValue(m, "infermon_forward_predictions_total", { outcome: "sent" })).toBe(PER_SIDECAR);
      expect(metricValue(m, "infermon_forward_predictions_total", { outcome: "failed" })).toBe(0);
      expect(metricValue(m, "infermon_forward_predictions_total", { outcome: "dropped" })).toBe(0);
      // a forwarding sidecar holds no predictions of its own waiting for labels
      expect(metricValue(m, "infermon_label_pending_predictions", { model: "credit" }) ?? 0).toBe(0);
      // drift is counted where the traffic was analysed: here, not at the join
      expect(metricValue(m, "infermon_events_total", { model: "credit" })).toBe(PER_SIDECAR);
    }
    const j = await scrape(joiner);
    expect(metricValue(j, "infermon_events_total", { model: "credit" }) ?? 0).toBe(0);
    expect(metricValue(j, "infermon_predictions_received_total", { outcome: "duplicate" })).toBe(0);
  });

  it("every label joins exactly once, and a label sent twice is a duplicate", async () => {
    const body = ids.map((id) => JSON.stringify({ model: "credit", id, label: "1" })).join("\n");
    const send = async () => {
      const r = await request(`http://127.0.0.1:${joiner.ports.ingest}/v1/labels`, { method: "POST", body });
      expect(r.statusCode).toBe(202);
      return (await r.body.json()) as Record<string, number>;
    };
    expect(await send()).toEqual({
      matched: ids.length,
      waiting: 0,
      duplicate: 0,
      conflict: 0,
      invalid: 0,
      unknown_model: 0,
    });
    expect(await send()).toEqual({
      matched: 0,
      waiting: 0,
      duplicate: ids.length,
      conflict: 0,
      invalid: 0,
      unknown_model: 0,
    });
    const j = await scrape(joiner);
    expect(metricValue(j, "infermon_labels_total", { model: "credit", outcome: "matched" })).toBe(ids.length);
  });

  it("a prediction forwarded twice (a retry) is recorded once; bad lines are counted, not fatal", async () => {
    const line = JSON.stringify({
      model: "credit",
      id: ids[0],
      version: "3",
      time: Date.now(),
      prediction: 0.7,
    });
    const r = await request(`http://127.0.0.1:${joiner.ports.ingest}/v1/predictions`, {
      method: "POST",
      body: `${line}\nnot json\n${JSON.stringify({ model: "nope", id: "x", prediction: 1 })}\n{"model":"credit"}\n`,
    });
    expect(r.statusCode).toBe(202);
    expect(await r.body.json()).toEqual({ recorded: 0, duplicate: 1, unknown_model: 1, invalid: 2 });
  });
});

describe("fail-open when the join is away", () => {
  it("traffic still flows unchanged; the predictions that could not be forwarded are counted", async () => {
    // a port nothing listens on: the joiner's, after it stopped
    const closed = await startAgent(config({ joiner: true }));
    const port = closed.ports.ingest as number;
    await closed.stop();
    const lonely = await startAgent(config({ forwardTo: port }));
    agents.push(lonely);
    const r = rng(9);
    for (let i = 0; i < 10; i++) {
      const res = await request(`http://127.0.0.1:${lonely.ports.tap}/v2/models/credit/infer`, {
        method: "POST",
        body: oipRequest([creditRow(r)], `lonely-${i}`),
        headers: { "content-type": "application/json" },
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    await until("the forwarder to give up on the batch", async () => {
      const m = await scrape(lonely);
      return metricValue(m, "infermon_forward_predictions_total", { outcome: "failed" }) === 10;
    });
    const log = lonely
      .lines()
      .find((l) => l.msg === "the label join did not take forwarded predictions (dropped after retries)");
    expect(log?.url).toBe(`http://127.0.0.1:${port}/`);
    expect(log?.reason).toBe("ECONNREFUSED");
  });
});
