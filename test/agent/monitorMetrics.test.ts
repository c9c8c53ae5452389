// Events through the tap into the monitor, read back from /metrics: drift gauges only once
// min_samples is reached, values equal to the stats engine's on the same counts, and
// `promtool check metrics` accepts the exposition.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import { driftValues } from "../../src/stats/drift.js";
import { parseProfile } from "../../src/stats/profile.js";
import type { Row } from "../../src/stats/profileBuilder.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";
import { requireTool } from "../helpers/peers.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
let tapUrl: string;
let metricsUrl: string;
let fixture: ReturnType<typeof writeFixture>;

async function scrapeText(): Promise<string> {
  await agent.queue.idle();
  return (await send(metricsUrl)).body.toString();
}

const sent: Row[] = [];
async function sendRows(n: number, perRequest: number, shift: number, seed: number): Promise<void> {
  const r = rng(seed);
  for (let i = 0; i < n; i += perRequest) {
    const rows = Array.from({ length: Math.min(perRequest, n - i) }, () => creditRow(r, shift));
    sent.push(...rows);
    const res = await send(`${tapUrl}/v2/models/credit/infer`, { body: oipRequest(rows) });
    expect(res.status).toBe(200);
  }
}

beforeAll(async () => {
  upstream = await startModelServer();
  fixture = writeFixture({ upstream: upstream.url, minSamples: 100 });
  agent = new Agent(fixture.config);
  addr = await agent.start();
  tapUrl = `http://127.0.0.1:${addr.tap?.port}`;
  metricsUrl = `http://127.0.0.1:${addr.metrics.port}/metrics`;
});

afterAll(async () => {
  await agent.stop(1000);
  await upstream.close();
});

describe("monitor → /metrics", () => {
  it("serves healthz and readyz", async () => {
    expect((await send(`http://127.0.0.1:${addr.metrics.port}/healthz`)).status).toBe(200);
    expect((await send(`http://127.0.0.1:${addr.metrics.port}/readyz`)).status).toBe(200);
  });

  it("exports no drift gauge below min_samples, and the window size", async () => {
    await sendRows(60, 3, 0, 10);
    const m = parseMetrics(await scrapeText());
    expect(metricValue(m, "infermon_window_samples", { model: "credit", window: "5m" })).toBe(60);
    expect(metricValue(m, "infermon_feature_psi", { model: "credit" })).toBeUndefined();
    expect(metricValue(m, "infermon_prediction_psi", { model: "credit" })).toBeUndefined();
    // counters do not wait for min_samples
    expect(
      metricValue(m, "infermon_feature_bin_observations_total", { model: "credit", feature: "income" }),
    ).toBe(60);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit" })).toBe(60);
    expect(metricValue(m, "infermon_prediction_score_count", { model: "credit" })).toBe(60);
  });

  it("exports drift per feature, window and for the prediction once min_samples is reached", async () => {
    // shifted incomes: income drifts, the rest does not
    await sendRows(240, 8, 60_000, 11);
    const m = parseMetrics(await scrapeText());
    expect(metricValue(m, "infermon_window_samples", { model: "credit", window: "1h" })).toBe(300);
    const layout = BinLayout.fromProfile(
      parseProfile(JSON.parse(readFileSync(fixture.config.models[0]?.reference as string, "utf8"))),
      fixture.config.models[0]!,
    );
    // expected values: the stats engine on the counts of the rows actually sent
    for (const slot of layout.slots) {
      const counts = new Float64Array(slot.bins.size);
      for (const row of sent) {
        const b = layout.binOf(slot, row[slot.name]);
        if (b >= 0) counts[b - slot.offset] = (counts[b - slot.offset] as number) + 1;
      }
      const d = driftValues(counts, slot.reference, fixture.config.models[0]!.drift.smoothing);
      const isPred = slot.name === "probability";
      const labels: Record<string, string> = isPred
        ? { model: "credit", model_version: "3", window: "5m" }
        : { model: "credit", model_version: "3", feature: slot.name, window: "5m" };
      const prefix = isPred ? "infermon_prediction" : "infermon_feature";
      expect(metricValue(m, `${prefix}_psi`, labels)).toBeCloseTo(d.psi, 9);
      expect(metricValue(m, `${prefix}_kl_divergence`, labels)).toBeCloseTo(d.kl, 9);
      expect(metricValue(m, `${prefix}_js_distance`, labels)).toBeCloseTo(d.js, 9);
    }
    const psi = (f: string) => metricValue(m, "infermon_feature_psi", { feature: f, window: "5m" }) as number;
    expect(psi("income")).toBeGreaterThan(0.25);
    expect(psi("age")).toBeLessThan(0.1);
    // reference ratios sum to 1 per feature
    const ratios = m.filter(
      (s: Sample) => s.name === "infermon_feature_reference_ratio" && s.labels.feature === "region",
    );
    expect(ratios.reduce((a, s) => a + s.value, 0)).toBeCloseTo(1, 12);
    // and their denominator, the binned reference values, for fleet-wide smoothing
    const region = layout.slots.find((s) => s.name === "region")!;
    expect(metricValue(m, "infermon_feature_reference_observations", { feature: "region" })).toBe(
      region.reference.reduce((a, b) => a + b, 0),
    );
    expect(metricValue(m, "infermon_build_info")).toBe(1);
    expect(metricValue(m, "infermon_queue_depth")).toBe(0);
  });

  it("counts data-quality problems", async () => {
    const rows = [
      { income: null, age: "old", score: 700, region: "atlantis", probability: 0.2 },
      { income: "NaN", age: 30, score: 700, region: "north", probability: 0.7 },
    ];
    await send(`${tapUrl}/v2/models/credit/infer`, { body: oipRequest(rows as Row[]) });
    const m = parseMetrics(await scrapeText());
    expect(metricValue(m, "infermon_feature_missing_total", { feature: "income" })).toBe(1);
    // "NaN" is a non-finite number: invalid like 1e309 or inf (ADR 0009)
    expect(metricValue(m, "infermon_feature_invalid_total", { feature: "income" })).toBe(1);
    expect(metricValue(m, "infermon_feature_invalid_total", { feature: "age" })).toBe(1);
    expect(metricValue(m, "infermon_feature_unseen_category_total", { feature: "region" })).toBe(1);
  });

  it("passes promtool check metrics", async (ctx) => {
    if (!requireTool("promtool")) ctx.skip();
    const text = await scrapeText();
    const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    // promtool exits 0 on success; lint findings (which would be errors) are printed
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
