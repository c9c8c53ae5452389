// Labels through the agent's real HTTP listeners: the id the tap assigns (x-request-id, or the OIP
// v2 body's id), POST /v1/labels (JSON and NDJSON), a label in POST /v1/events, Seldon feedback
// CloudEvents; quality metrics on /metrics; bad input counted and skipped; ttl expiry; restart.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { creditScore, type ModelServer, startModelServer } from "../helpers/modelServer.js";

const DAY = 86_400_000;
let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
// the tap stamps predictions with the wall clock; the agent's clock starts there and is moved by hand
let clock = Date.now();
const lines: { msg: string; [k: string]: unknown }[] = [];

const tapUrl = () => `http://127.0.0.1:${addr.tap?.port}`;
const ingestUrl = () => `http://127.0.0.1:${addr.ingest?.port}`;

async function metrics(): Promise<Sample[]> {
  await agent.queue.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

async function postLabels(body: unknown, ndjson = false) {
  const text = ndjson ? (body as unknown[]).map((x) => JSON.stringify(x)).join("\n") : JSON.stringify(body);
  const r = await send(`${ingestUrl()}/v1/labels`, {
    headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
    body: text,
  });
  expect(r.status).toBe(202);
  return JSON.parse(r.body.toString()) as Record<string, number>;
}

/** One credit prediction through the tap; returns the id the tap reports and the predicted class. */
async function predict(seed: number, headers: Record<string, string> = {}, id?: string) {
  const row = creditRow(rng(seed));
  const r = await send(`${tapUrl()}/v2/models/credit/infer`, {
    headers: { "content-type": "application/json", ...headers },
    body: oipRequest([row], id),
  });
  expect(r.status).toBe(200);
  await agent.queue.idle();
  const p = creditScore(row.income as number, row.score as number);
  return { id: r.headers["x-request-id"] as string, cls: p >= 0.5 ? "1" : "0" };
}

const labelCount = (m: Sample[], outcome: string, model = "credit") =>
  metricValue(m, "infermon_labels_total", { model, outcome });

beforeAll(async () => {
  upstream = await startModelServer();
  const { config } = writeFixture({ upstream: upstream.url, ingest: true, minSamples: 4 });
  const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  agent = new Agent(config, { processMetrics: false, now: () => clock, logger });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(500);
  await upstream.close();
});

describe("label join through the agent", () => {
  it("creates every label and quality counter at 0 at start", async () => {
    const m = await metrics();
    for (const model of ["credit", "house-price"]) {
      for (const o of ["matched", "unmatched", "duplicate", "invalid"])
        expect(labelCount(m, o, model)).toBe(0);
      expect(metricValue(m, "infermon_label_join_expired_total", { model })).toBe(0);
      expect(metricValue(m, "infermon_label_join_pending", { model })).toBe(0);
      expect(metricValue(m, "infermon_label_delay_seconds_count", { model })).toBe(0);
    }
    expect(labelCount(m, "unknown_model", "unknown")).toBe(0);
    for (const result of ["correct", "incorrect"])
      expect(
        metricValue(m, "infermon_labeled_predictions_total", { model: "credit", model_version: "3", result }),
      ).toBe(0);
    // quality gauges wait for min_samples
    expect(metricValue(m, "infermon_model_accuracy", { model: "credit" })).toBeUndefined();
  });

  it("joins a label sent with the x-request-id the tap assigned", async () => {
    const p = await predict(1);
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    clock += 90_000;
    expect(await postLabels({ model: "credit", id: p.id, label: p.cls })).toMatchObject({ matched: 1 });
    const m = await metrics();
    expect(labelCount(m, "matched")).toBe(1);
    expect(metricValue(m, "infermon_labeled_predictions_total", { model: "credit", result: "correct" })).toBe(
      1,
    );
    const delay = metricValue(m, "infermon_label_delay_seconds_sum", { model: "credit" }) as number;
    expect(delay).toBeGreaterThan(85);
    expect(delay).toBeLessThanOrEqual(90);
    expect(metricValue(m, "infermon_label_join_pending", { model: "credit" })).toBe(0);
  });

  it("joins rows of an OIP v2 request by the body's id as <id>:<row> (NDJSON labels)", async () => {
    const rows = [creditRow(rng(2)), creditRow(rng(3))];
    const r = await send(`${tapUrl()}/v2/models/credit/infer`, {
      headers: { "content-type": "application/json" },
      body: oipRequest(rows, "order-9"),
    });
    expect(r.status).toBe(200);
    await agent.queue.idle();
    const cls = rows.map((x) => (creditScore(x.income as number, x.score as number) >= 0.5 ? "1" : "0"));
    const wrong = cls[1] === "1" ? "0" : "1";
    const out = await postLabels(
      [
        { model: "credit", id: "order-9:0", label: cls[0] },
        { model: "credit", id: "order-9:1", label: wrong },
      ],
      true,
    );
    expect(out).toMatchObject({ matched: 2, invalid: 0 });
    const m = await metrics();
    expect(metricValue(m, "infermon_labeled_predictions_total", { model: "credit", result: "correct" })).toBe(
      2,
    );
    expect(
      metricValue(m, "infermon_labeled_predictions_total", { model: "credit", result: "incorrect" }),
    ).toBe(1);
  });

  it("keeps a label that arrives before its prediction, and never counts a duplicate", async () => {
    expect(await postLabels({ model: "credit", id: "early-1", label: "0" })).toMatchObject({ waiting: 1 });
    let m = await metrics();
    expect(metricValue(m, "infermon_label_join_waiting_labels", { model: "credit" })).toBe(1);
    await predict(4, { "x-request-id": "early-1" });
    m = await metrics();
    expect(labelCount(m, "matched")).toBe(4);
    expect(metricValue(m, "infermon_label_join_waiting_labels", { model: "credit" })).toBe(0);
    // the same label again is a duplicate (one that disagrees would be a conflict: labelTrust.test.ts)
    expect(await postLabels({ model: "credit", id: "early-1", label: "0" })).toMatchObject({ duplicate: 1 });
    m = await metrics();
    expect(labelCount(m, "duplicate")).toBe(1);
    expect(labelCount(m, "matched")).toBe(4);
  });

  it("counts bad labels by outcome and skips them; nothing unbounded becomes a label value", async () => {
    const body = [
      JSON.stringify({ model: "nope", id: "x", label: "1" }),
      JSON.stringify({ model: "credit", id: "y", label: "maybe" }), // not a configured class
      JSON.stringify({ model: "house-price", id: "z", value: "123" }), // a string regression value
      JSON.stringify({ model: "credit", label: "1" }), // no id
      "{not json",
      JSON.stringify({ model: "credit", id: "y2", label: { cls: 1 } }),
    ].join("\n");
    const r = await send(`${ingestUrl()}/v1/labels`, { body });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body.toString())).toEqual({
      matched: 0,
      waiting: 0,
      duplicate: 0,
      conflict: 0,
      invalid: 5,
      unknown_model: 1,
    });
    const m = await metrics();
    expect(labelCount(m, "invalid")).toBe(3);
    expect(labelCount(m, "invalid", "house-price")).toBe(1);
    expect(labelCount(m, "invalid", "unknown")).toBe(1);
    expect(labelCount(m, "unknown_model", "unknown")).toBe(1);
    expect(m.some((s) => s.labels.model === "nope" || s.labels.class === "maybe")).toBe(false);
  });

  it("reads NaN/Infinity values as invalid, and bounds /v1/labels bodies like /v1/events (413, nothing applied)", async () => {
    const before = await metrics();
    const body = [
      '{"model": "house-price", "id": "n1", "value": NaN}',
      '{"model": "house-price", "id": "n2", "value": -Infinity}',
      '{"model": "house-price", "id": "n3", "value": 1e999}',
      '{"model": "house-price", "id": "n4", "value": Infinity}',
    ].join("\n");
    const r = await send(`${ingestUrl()}/v1/labels`, { body });
    expect(JSON.parse(r.body.toString())).toMatchObject({ invalid: 4, waiting: 0 });
    // one byte over the 16 MiB limit of /v1/events and /v1/labels: refused whole, counted
    const line = `${JSON.stringify({ model: "credit", id: "big-000000", label: "1" })}\n`;
    const big = line.repeat(Math.ceil((16 * 1024 * 1024 + 1) / line.length));
    const tooBig = await send(`${ingestUrl()}/v1/labels`, { body: big });
    expect(tooBig.status).toBe(413);
    const m = await metrics();
    expect(labelCount(m, "invalid", "house-price")).toBe(
      (labelCount(before, "invalid", "house-price") ?? 0) + 4,
    );
    expect(labelCount(m, "waiting")).toBe(labelCount(before, "waiting"));
    expect(metricValue(m, "infermon_label_join_waiting_labels", { model: "credit" })).toBe(
      metricValue(before, "infermon_label_join_waiting_labels", { model: "credit" }),
    );
  });

  it("joins a label sent with the prediction in POST /v1/events at once", async () => {
    const events = [0, 1, 2, 3].map((i) => ({
      model: "house-price",
      id: `h-${i}`,
      features: { sqft: 1000 + i, rooms: 2, city: "a" },
      prediction: 100_000 + i * 1000,
      label: 100_000 + i * 1000 + (i % 2 === 0 ? 500 : -1500),
    }));
    const r = await send(`${ingestUrl()}/v1/events`, {
      body: events.map((e) => JSON.stringify(e)).join("\n"),
    });
    expect(r.status).toBe(202);
    const m = await metrics();
    expect(labelCount(m, "matched", "house-price")).toBe(4);
    // errors 500, 1500, 500, 1500: MAE 1000, RMSE sqrt((2·500² + 2·1500²)/4)
    expect(metricValue(m, "infermon_model_mae", { model: "house-price", window: "15m" })).toBe(1000);
    expect(metricValue(m, "infermon_model_rmse", { model: "house-price", window: "15m" })).toBeCloseTo(
      Math.sqrt((2 * 500 ** 2 + 2 * 1500 ** 2) / 4),
      9,
    );
  });

  it("reads Seldon feedback CloudEvents (io.seldon.serving.feedback) as labels", async () => {
    const p = await predict(5, { "x-request-id": "puid-77" });
    const r = await send(`${ingestUrl()}/`, {
      headers: {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-type": "io.seldon.serving.feedback",
        "ce-id": "fb-1",
        "ce-source": "http://seldon/",
        "ce-modelid": "credit",
        "ce-requestid": "feedback-call-puid",
      },
      body: JSON.stringify({
        request: { data: { ndarray: [[1, 2]] } },
        response: { meta: { puid: "puid-77" }, data: { ndarray: [[0.3]] } },
        reward: 1,
        truth: { data: { ndarray: [[Number(p.cls)]] } },
      }),
    });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body.toString())).toMatchObject({ accepted: true, matched: 1 });
    const feedback = (modelId: string, body: unknown) =>
      send(`${ingestUrl()}/`, {
        headers: {
          "content-type": "application/json",
          "ce-specversion": "1.0",
          "ce-type": "io.seldon.serving.feedback",
          "ce-id": "fb-2",
          "ce-source": "http://seldon/",
          "ce-modelid": modelId,
        },
        body: JSON.stringify(body),
      });
    const unknown = await feedback("nope", {
      response: { meta: { puid: "x" } },
      truth: { data: { ndarray: [1] } },
    });
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ accepted: false, reason: "unknown_model" });
    const noTruth = await feedback("credit", { response: { meta: { puid: "puid-77" } }, reward: 0 });
    expect(JSON.parse(noTruth.body.toString())).toMatchObject({ accepted: false, reason: "wrong_shape" });
    const m = await metrics();
    expect(labelCount(m, "matched")).toBe(5);
    expect(labelCount(m, "unknown_model", "unknown")).toBe(2);
    expect(labelCount(m, "invalid")).toBe(4);
  });

  it("exports accuracy, precision, recall and F1 once a window holds min_samples joins", async () => {
    const m = await metrics();
    // credit joins so far: correct, correct, incorrect, the early label (class 0), the feedback (correct)
    const correct = metricValue(m, "infermon_labeled_predictions_total", {
      model: "credit",
      result: "correct",
    });
    const incorrect = metricValue(m, "infermon_labeled_predictions_total", {
      model: "credit",
      result: "incorrect",
    });
    expect((correct ?? 0) + (incorrect ?? 0)).toBe(5);
    const acc = metricValue(m, "infermon_model_accuracy", { model: "credit", window: "1h" });
    expect(acc).toBe((correct as number) / 5);
    // the 5m window lost the first join (made 90 s + before; clock moved only 90 s: all 5 are in)
    expect(metricValue(m, "infermon_window_labeled_samples", { model: "credit", window: "5m" })).toBe(5);
    const macro = m.find(
      (s) => s.name === "infermon_model_f1" && s.labels.window === "1h" && s.labels.class === undefined,
    );
    expect(macro).toBeDefined();
    const classes = new Set(
      m.filter((s) => s.name === "infermon_model_precision").map((s) => s.labels.class),
    );
    for (const c of classes) expect([undefined, "0", "1"]).toContain(c);
  });

  it("expires predictions that wait longer than the ttl, and labels that never meet one", async () => {
    await predict(6, { "x-request-id": "never-labelled" });
    await postLabels({ model: "credit", id: "never-predicted", label: "1" });
    let m = await metrics();
    expect(metricValue(m, "infermon_label_join_pending", { model: "credit" })).toBe(1);
    clock += DAY + 1;
    m = await metrics();
    expect(metricValue(m, "infermon_label_join_expired_total", { model: "credit" })).toBe(1);
    expect(labelCount(m, "unmatched")).toBe(1);
    expect(metricValue(m, "infermon_label_join_pending", { model: "credit" })).toBe(0);
    // and the windows forgot the old joins: no accuracy below min_samples
    expect(metricValue(m, "infermon_model_accuracy", { model: "credit" })).toBeUndefined();
  });
});

describe("agent restart", () => {
  it("loses only the waiting predictions and labels, and says how many", async () => {
    const { config } = writeFixture({ upstream: upstream.url, ingest: true, minSamples: 4 });
    const logs: { msg: string; [k: string]: unknown }[] = [];
    const logger = pino({ level: "info" }, { write: (s: string) => logs.push(JSON.parse(s)) });
    let t = Date.parse("2026-11-30T12:00:00Z");
    const a = new Agent(config, { processMetrics: false, now: () => t, logger });
    const ad = await a.start();
    const url = `http://127.0.0.1:${ad.ingest?.port}`;
    const ev = (id: string) => ({ model: "credit", id, features: {}, prediction: 0.9 });
    await send(`${url}/v1/events`, { body: [ev("r-1"), ev("r-2")].map((e) => JSON.stringify(e)).join("\n") });
    await a.queue.idle();
    await send(`${url}/v1/labels`, { body: JSON.stringify({ model: "credit", id: "r-1", label: "1" }) });
    await send(`${url}/v1/labels`, { body: JSON.stringify({ model: "credit", id: "later", label: "1" }) });
    await a.stop(100);
    const lost = logs.find((l) => /label join state lost/.test(l.msg));
    expect(lost).toMatchObject({ model: "credit", pending_predictions: 1, waiting_labels: 1 });

    // a new agent: a label for a prediction made before the restart waits and, at the ttl, is unmatched
    const b = new Agent(config, { processMetrics: false, now: () => t });
    const bd = await b.start();
    const burl = `http://127.0.0.1:${bd.ingest?.port}`;
    const r = await send(`${burl}/v1/labels`, {
      body: JSON.stringify({ model: "credit", id: "r-2", label: "1" }),
    });
    expect(JSON.parse(r.body.toString())).toMatchObject({ waiting: 1 });
    await send(`${burl}/v1/events`, { body: JSON.stringify(ev("r-3")) });
    await b.queue.idle();
    const r3 = await send(`${burl}/v1/labels`, {
      body: JSON.stringify({ model: "credit", id: "r-3", label: "1" }),
    });
    expect(JSON.parse(r3.body.toString())).toMatchObject({ matched: 1 });
    t += DAY;
    const m = parseMetrics((await send(`http://127.0.0.1:${bd.metrics.port}/metrics`)).body.toString());
    expect(labelCount(m, "unmatched")).toBe(1);
    expect(labelCount(m, "matched")).toBe(1);
    await b.stop(100);
  });
});
