// A/B variants through the agent's real listeners: the tap reads each request's variant from a
// header; requests, events, predictions, drift and (with labels) loss and accuracy are counted per
// variant; a value that is not a configured name, or none, is `other`; /v1/events takes `variant`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { creditScore, type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
const tapUrl = () => `http://127.0.0.1:${addr.tap?.port}`;
const ingestUrl = () => `http://127.0.0.1:${addr.ingest?.port}`;

async function metrics(): Promise<Sample[]> {
  await agent.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

async function predict(seed: number, variant: string | undefined) {
  const row = creditRow(rng(seed));
  const r = await send(`${tapUrl()}/v2/models/credit/infer`, {
    headers: { "content-type": "application/json", ...(variant !== undefined && { "X-Variant": variant }) },
    body: oipRequest([row]),
  });
  expect(r.status).toBe(200);
  const p = creditScore(row.income as number, row.score as number);
  return { id: r.headers["x-request-id"] as string, cls: p >= 0.5 ? "1" : "0" };
}

beforeAll(async () => {
  upstream = await startModelServer();
  const { config } = writeFixture({
    upstream: upstream.url,
    ingest: true,
    minSamples: 4,
    creditExtra: "    variants: {by: header, key: X-Variant, names: [stable, candidate]}\n",
  });
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(500);
  await upstream.close();
});

describe("A/B variants through the tap", () => {
  it("creates every variant's request, event and loss counters at 0 at start", async () => {
    const m = await metrics();
    for (const variant of ["stable", "candidate", "other"]) {
      for (const code of ["200", "500", "502", "504"])
        expect(metricValue(m, "infermon_variant_requests_total", { model: "credit", variant, code })).toBe(0);
      expect(metricValue(m, "infermon_variant_events_total", { model: "credit", variant })).toBe(0);
      for (const name of ["labeled", "loss", "loss_squares"])
        expect(metricValue(m, `infermon_variant_${name}_total`, { model: "credit", variant })).toBe(0);
    }
    // a model without variants has no variant series
    expect(m.some((s) => s.name.startsWith("infermon_variant_") && s.labels.model === "house-price")).toBe(
      false,
    );
  });

  it("labels requests, events, classes and drift by the header's variant; anything else is other", async () => {
    const sent: Record<string, { id: string; cls: string }[]> = { stable: [], candidate: [], other: [] };
    for (let i = 0; i < 6; i++) sent.stable?.push(await predict(100 + i, "stable"));
    for (let i = 0; i < 5; i++) sent.candidate?.push(await predict(200 + i, "candidate"));
    sent.other?.push(await predict(300, "blue")); // not a configured name
    sent.other?.push(await predict(301, undefined)); // no header
    sent.other?.push(await predict(302, "x".repeat(500))); // never a label of its own
    // an unreadable body is still a request of its variant (400 from the model server)
    const bad = await send(`${tapUrl()}/v2/models/credit/infer`, {
      headers: { "content-type": "application/json", "x-variant": "candidate" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    const m = await metrics();
    for (const [variant, list] of Object.entries(sent)) {
      expect(
        metricValue(m, "infermon_variant_requests_total", { model: "credit", variant, code: "200" }),
      ).toBe(list.length);
      expect(metricValue(m, "infermon_variant_events_total", { model: "credit", variant })).toBe(list.length);
      for (const cls of ["0", "1"])
        expect(
          metricValue(m, "infermon_variant_predictions_total", { model: "credit", variant, class: cls }) ?? 0,
        ).toBe(list.filter((x) => x.cls === cls).length);
      expect(
        metricValue(m, "infermon_variant_window_samples", { model: "credit", variant, window: "5m" }),
      ).toBe(list.length);
    }
    expect(
      metricValue(m, "infermon_variant_requests_total", {
        model: "credit",
        variant: "candidate",
        code: "400",
      }),
    ).toBe(1);
    // min_samples is 4: every variant has drift gauges (prediction and features) in both windows
    for (const variant of ["stable", "candidate"]) {
      expect(
        metricValue(m, "infermon_variant_prediction_psi", { model: "credit", variant, window: "1h" }),
      ).toBeGreaterThan(0);
      expect(
        metricValue(m, "infermon_variant_feature_psi", {
          model: "credit",
          variant,
          feature: "income",
          window: "5m",
        }),
      ).toBeGreaterThan(0);
    }
    const values = new Set(
      m.filter((s) => s.name.startsWith("infermon_variant_")).map((s) => s.labels.variant),
    );
    expect([...values].sort()).toEqual(["candidate", "other", "stable"]);

    // labels: every stable prediction right, the candidate's wrong but one
    const labels = [
      ...(sent.stable ?? []).map((x) => ({ model: "credit", id: x.id, label: x.cls })),
      ...(sent.candidate ?? []).map((x, i) => ({
        model: "credit",
        id: x.id,
        label: i === 0 ? x.cls : x.cls === "1" ? "0" : "1",
      })),
    ];
    const r = await send(`${ingestUrl()}/v1/labels`, { body: JSON.stringify(labels) });
    expect(JSON.parse(r.body.toString()).matched).toBe(11);
    const q = await metrics();
    const v = (name: string, variant: string, extra: Record<string, string> = {}) =>
      metricValue(q, name, { model: "credit", variant, ...extra });
    expect(v("infermon_variant_labeled_total", "stable")).toBe(6);
    expect(v("infermon_variant_loss_total", "stable")).toBe(0);
    expect(v("infermon_variant_labeled_total", "candidate")).toBe(5);
    expect(v("infermon_variant_loss_total", "candidate")).toBe(4);
    expect(v("infermon_variant_loss_squares_total", "candidate")).toBe(4);
    expect(v("infermon_variant_model_accuracy", "stable", { window: "1h" })).toBe(1);
    expect(v("infermon_variant_model_accuracy", "candidate", { window: "1h" })).toBeCloseTo(0.2, 12);
    // the model-wide quality is unchanged by the variants
    expect(metricValue(q, "infermon_model_accuracy", { model: "credit", window: "1h" })).toBeCloseTo(
      7 / 11,
      12,
    );
  });

  it("takes a variant sent with an event to /v1/events (checked against the names)", async () => {
    const before = await metrics();
    const ev = (variant: string) => ({
      model: "credit",
      features: { income: 50_000, age: 30, score: 600, region: "north" },
      prediction: 0.4,
      variant,
    });
    const r = await send(`${ingestUrl()}/v1/events`, { body: JSON.stringify([ev("candidate"), ev("nope")]) });
    expect(r.status).toBe(202);
    const m = await metrics();
    const d = (variant: string) =>
      (metricValue(m, "infermon_variant_events_total", { model: "credit", variant }) as number) -
      (metricValue(before, "infermon_variant_events_total", { model: "credit", variant }) as number);
    expect(d("candidate")).toBe(1);
    expect(d("other")).toBe(1);
  });
});
