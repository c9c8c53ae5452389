// The live monitor on degenerate references (issue #8 §2, ADR 0009): a feature with no reference
// values exports no drift gauge and no reference series (nothing for a drift or fleet rule to page
// on); a constant reference is binned per value, exactly as batch `drift` bins it, so values moving
// above the constant give a large PSI live too.
import { describe, expect, it } from "vitest";
import type { InferenceEvent } from "../../src/adapters/inferenceEvent.js";
import { parseConfig } from "../../src/config/load.js";
import { AgentMetrics } from "../../src/export/metrics.js";
import { ModelMonitor } from "../../src/monitor/modelMonitor.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import { driftReport } from "../../src/stats/driftReport.js";
import { ProfileBuilder, type Row } from "../../src/stats/profileBuilder.js";
import { RowCounter } from "../../src/stats/rowCounter.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

const model = parseConfig(`
models:
  - name: sensor
    task: regression
    protocol: json
    json: {features: rows}
    windows: [5m]
    min_samples: 50
    features:
      - {name: empty, type: numeric}
      - {name: level, type: numeric}
      - {name: temp, type: numeric}
`).models[0]!;

const reference: Row[] = Array.from({ length: 500 }, (_, i) => ({ empty: "", level: 3, temp: i % 97 }));
const b = new ProfileBuilder(model);
for (const r of reference) b.observe(r);
b.fixBins();
for (const r of reference) b.count(r);
const profile = b.build();
const layout = BinLayout.fromProfile(profile, model);

const T0 = 1_700_000_000_000;
const current: Row[] = Array.from({ length: 200 }, (_, i) => ({ empty: i, level: 4, temp: i % 97 }));

async function scrape() {
  const metrics = new AgentMetrics({ version: "test", processMetrics: false });
  const monitor = new ModelMonitor(model, layout, metrics);
  current.forEach((features, i) => {
    const e: InferenceEvent = { model: "sensor", version: "unknown", id: String(i), features, time: T0 };
    monitor.observe(e, T0);
  });
  monitor.refresh(T0 + 1000);
  return parseMetrics(await metrics.registry.metrics());
}

describe("live monitor, degenerate references", () => {
  it("exports no drift and no reference series for a feature with no reference values", async () => {
    const m = await scrape();
    const psi = (feature: string) => metricValue(m, "infermon_feature_psi", { feature, window: "5m" });
    // before: zero reference counts gave a drift value (JS ≈ 0.707, critical)
    for (const name of [
      "infermon_feature_psi",
      "infermon_feature_kl_divergence",
      "infermon_feature_js_distance",
    ])
      expect(metricValue(m, name, { feature: "empty" })).toBeUndefined();
    expect(metricValue(m, "infermon_feature_reference_ratio", { feature: "empty" })).toBeUndefined();
    expect(metricValue(m, "infermon_feature_reference_observations", { feature: "empty" })).toBeUndefined();
    // the other features are there
    expect(psi("temp")).toBeLessThan(0.1);
    expect(metricValue(m, "infermon_feature_reference_observations", { feature: "temp" })).toBe(500);
  });

  it("bins a constant reference per value: values above it give a large PSI, equal to batch drift's", async () => {
    const m = await scrape();
    const live = metricValue(m, "infermon_feature_psi", { feature: "level", window: "5m" }) as number;
    // before: one edge at 3, and 4 stayed in the same bin: PSI 0
    expect(live).toBeGreaterThan(5);
    expect(metricValue(m, "infermon_feature_reference_ratio", { feature: "level", bin: "3" })).toBe(1);
    expect(
      metricValue(m, "infermon_feature_bin_observations_total", { feature: "level", bin: "__other__" }),
    ).toBe(200);
    const counter = new RowCounter(layout);
    for (const r of current) counter.add(r);
    const batch = driftReport(model, layout, counter, { reference: profile.rows, skipped: 0 });
    expect(batch.features.find((f) => f.name === "level")?.psi).toBeCloseTo(live, 12);
    expect(batch.features.find((f) => f.name === "empty")).toMatchObject({ psi: null, status: "missing" });
  });
});
