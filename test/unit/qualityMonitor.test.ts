// One model's label join and quality counters, straight on a registry (no HTTP): regression
// correctness within labels.tolerance, and the edge cases of the join (ttl boundary, clock going
// backwards, non-finite labels).
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { QualityMetrics } from "../../src/export/qualityMetrics.js";
import { QualityMonitor } from "../../src/labels/qualityMonitor.js";
import { withinTolerance } from "../../src/labels/tolerance.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";

function monitor(modelYaml: string): { q: QualityMonitor; registry: Registry } {
  const c = parseConfig(`models:\n${modelYaml}`);
  const registry = new Registry();
  const q = new QualityMonitor(c.models[0] as never, new QualityMetrics(registry));
  return { q, registry };
}

async function samples(registry: Registry): Promise<Sample[]> {
  return parseMetrics(await registry.metrics());
}

const HOUSE = (labels: string) => `
  - name: house
    task: regression
    windows: [5m]
    min_samples: 1
    labels: ${labels}
`;

describe("regression correctness within labels.tolerance", () => {
  it("is numpy.isclose: |p − t| ≤ absolute + relative × |t|", () => {
    expect(withinTolerance(105, 100, { absolute: 5, relative: 0 })).toBe(true);
    expect(withinTolerance(105.01, 100, { absolute: 5, relative: 0 })).toBe(false);
    expect(withinTolerance(-110, -100, { absolute: 0, relative: 0.1 })).toBe(true);
    expect(withinTolerance(111, 100, { absolute: 0.5, relative: 0.1 })).toBe(false);
    expect(withinTolerance(110.5, 100, { absolute: 0.5, relative: 0.1 })).toBe(true);
    expect(withinTolerance(Number.NaN, 100, { absolute: 1e9, relative: 1 })).toBe(false);
  });

  it("counts infermon_labeled_predictions_total{result} for regression joins, at 0 from the start", async () => {
    const { q, registry } = monitor(HOUSE("{tolerance: {absolute: 1000, relative: 0.05}}"));
    const sel = (result: string) => ({ model: "house", model_version: "unknown", result });
    let m = await samples(registry);
    expect(metricValue(m, "infermon_labeled_predictions_total", sel("correct"))).toBe(0);
    expect(metricValue(m, "infermon_labeled_predictions_total", sel("incorrect"))).toBe(0);
    const t = 1_000_000;
    // within 1000 + 5 % of 100,000 = 6000
    q.prediction("a", "unknown", undefined, 105_900, t, t);
    q.prediction("b", "unknown", undefined, 93_999, t, t);
    expect(q.label("a", 100_000, t, t)).toBe("matched");
    expect(q.label("b", 100_000, t, t)).toBe("matched");
    m = await samples(registry);
    expect(metricValue(m, "infermon_labeled_predictions_total", sel("correct"))).toBe(1);
    expect(metricValue(m, "infermon_labeled_predictions_total", sel("incorrect"))).toBe(1);
  });

  it("without a tolerance, regression has no correctness series", async () => {
    const { q, registry } = monitor(HOUSE("{ttl: 1h}"));
    q.prediction("a", "unknown", undefined, 1, 0, 0);
    q.label("a", 1, 0, 0);
    const m = await samples(registry);
    expect(m.filter((s) => s.name === "infermon_labeled_predictions_total")).toEqual([]);
  });
});
