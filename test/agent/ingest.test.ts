// The ingest listener: KServe and Seldon payload-logger CloudEvents (binary and structured mode,
// paired by ce-id), unpaired halves expiring, POST /v1/events (JSON and NDJSON), compressed POSTs.
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

let agent: Agent;
let addr: Addresses;
let ingest: string;

async function metrics() {
  await agent.queue.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

beforeAll(async () => {
  agent = new Agent(writeFixture({ tap: false, ingest: true }).config, { processMetrics: false });
  addr = await agent.start();
  ingest = `http://127.0.0.1:${addr.ingest?.port}`;
});

afterAll(async () => {
  await agent.stop(500);
});

const rows = [creditRow(rng(1)), creditRow(rng(2))];
const request = oipRequest(rows);
const response = JSON.stringify({
  model_name: "credit",
  model_version: "3",
  outputs: [{ name: "probability", shape: [2], datatype: "FP32", data: [0.1, 0.8] }],
});

function binary(type: string, id: string, body: string | Buffer, ext: Record<string, string> = {}) {
  return send(`${ingest}/`, {
    headers: {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-type": type,
      "ce-id": id,
      "ce-source": "http://localhost:9081/",
      ...ext,
    },
    body,
  });
}

describe("CloudEvents", () => {
  it("pairs KServe request and response halves (binary mode) by ce-id", async () => {
    const ext = { "ce-inferenceservicename": "credit", "ce-namespace": "ml", "ce-component": "predictor" };
    expect((await binary("org.kubeflow.serving.inference.response", "k1", response, ext)).status).toBe(202);
    expect(agent.ingest?.pendingHalves).toBe(1);
    expect((await binary("org.kubeflow.serving.inference.request", "k1", request, ext)).status).toBe(202);
    expect(agent.ingest?.pendingHalves).toBe(0);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(2);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "1" })).toBe(1);
  });

  it("pairs Seldon halves in structured mode, finding the model from the body", async () => {
    const ce = (type: string, data: string) =>
      send(`${ingest}/`, {
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify({
          specversion: "1.0",
          type,
          id: "s1",
          source: "seldon",
          datacontenttype: "application/json",
          data: JSON.parse(data),
        }),
      });
    expect((await ce("io.seldon.serving.inference.request", request)).status).toBe(202);
    expect((await ce("io.seldon.serving.inference.response", response)).status).toBe(202);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(4);
  });

  it("counts unknown models, other event types, non-CloudEvents and expired halves", async () => {
    await binary("org.kubeflow.serving.inference.request", "u1", request, {
      "ce-inferenceservicename": "nope",
    });
    await binary("com.example.other", "o1", "{}");
    expect((await send(`${ingest}/`, { body: "random" })).status).toBe(400);
    await binary("org.kubeflow.serving.inference.request", "lonely", request, {
      "ce-inferenceservicename": "credit",
    });
    expect(agent.ingest?.expire(Date.now() + 60_000)).toBe(1);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "unknown_model" })).toBe(1);
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "unknown_type" })).toBe(1);
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "unpaired" })).toBe(1);
    expect(metricValue(m, "infermon_parse_errors_total", { reason: "not_cloudevent" })).toBe(1);
  });
});

describe("POST /v1/events", () => {
  it("accepts a JSON array and NDJSON, rejecting and counting bad items", async () => {
    const ev = (i: number) => ({
      model: "credit",
      id: `e${i}`,
      features: rows[0],
      prediction: 0.9,
      time: new Date().toISOString(),
    });
    const a = await send(`${ingest}/v1/events`, { body: JSON.stringify([ev(1), ev(2)]) });
    expect(JSON.parse(a.body.toString())).toEqual({ accepted: 2, rejected: 0 });
    const nd = [
      JSON.stringify(ev(3)),
      "{broken",
      JSON.stringify({ model: "ghost", features: {} }),
      JSON.stringify({ model: "credit" }),
    ].join("\n");
    const b = await send(`${ingest}/v1/events`, {
      headers: { "content-type": "application/x-ndjson" },
      body: nd,
    });
    expect(JSON.parse(b.body.toString())).toEqual({ accepted: 1, rejected: 3 });
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "http" })).toBe(3);
    expect(metricValue(m, "infermon_parse_errors_total", { reason: "malformed_json" })).toBe(1);
    expect(metricValue(m, "infermon_parse_errors_total", { model: "credit", reason: "wrong_shape" })).toBe(1);
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "unknown_model" })).toBe(2);
  });
});

describe("limits and routes", () => {
  it("answers 413 for a CloudEvent over the body limit and counts it; 404 elsewhere", async () => {
    const big = "x".repeat(1_048_577);
    const r = await binary("org.kubeflow.serving.inference.request", "big", big, {
      "ce-inferenceservicename": "credit",
    });
    expect(r.status).toBe(413);
    expect((await send(`${ingest}/nowhere`, { body: "{}" })).status).toBe(404);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "body_too_large" })).toBe(1);
  });
});

describe("compressed POSTs", () => {
  it("reads gzip and br bodies at / and /v1/events; a bomb is 413 and counted, a corrupt body 400", async () => {
    const before = await metrics();
    const http = metricValue(before, "infermon_events_total", { model: "credit", source: "http" }) ?? 0;
    const ce = metricValue(before, "infermon_events_total", { model: "credit", source: "cloudevents" }) ?? 0;
    const ev = { model: "credit", features: rows[0], prediction: 0.9 };
    const a = await send(`${ingest}/v1/events`, {
      headers: { "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify([ev, ev])),
    });
    expect(JSON.parse(a.body.toString())).toEqual({ accepted: 2, rejected: 0 });
    const ext = { "content-encoding": "br", "ce-inferenceservicename": "credit" };
    const t = "org.kubeflow.serving.inference";
    const id = "compressed-1";
    expect((await binary(`${t}.request`, id, brotliCompressSync(request), ext)).status).toBe(202);
    expect((await binary(`${t}.response`, id, brotliCompressSync(response), ext)).status).toBe(202);
    // 64 MiB of zeros in ~64 KiB of gzip: stops at the 16 MiB limit of /v1/events
    const bomb = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    const b = await send(`${ingest}/v1/events`, { headers: { "content-encoding": "gzip" }, body: bomb });
    expect(b.status).toBe(413);
    const c = await send(`${ingest}/v1/events`, {
      headers: { "content-encoding": "gzip" },
      body: "not gzip",
    });
    expect(c.status).toBe(400);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "http" })).toBe(http + 2);
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(ce + 2);
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "decompressed_too_large" })).toBe(1);
    expect(
      metricValue(m, "infermon_parse_errors_total", { model: "unknown", reason: "content_encoding" }),
    ).toBe(1);
  });
});
