// One model's label join and quality counters, straight on a registry (no HTTP): regression
// correctness within labels.tolerance, and the edge cases of the join (ttl boundary, clock going
// backwards, non-finite labels).
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { QualityMetrics } from "../../src/export/qualityMetrics.js";
import { LabelJoin } from "../../src/labels/labelJoin.js";
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

const CREDIT = `
  - name: credit
    version: "3"
    task: binary_classification
    windows: [5m]
    min_samples: 1
`;

describe("label join edge cases", () => {
  it("a non-finite prediction or label time never poisons the label delay histogram", async () => {
    const { q, registry } = monitor(CREDIT);
    q.prediction("a", "3", "1", 0.9, Number.NaN, 1_000);
    expect(q.label("a", "1", 3_000, 3_000)).toBe("matched");
    q.prediction("b", "3", "1", 0.9, 1_000, 1_000);
    expect(q.label("b", "1", Number.POSITIVE_INFINITY, 4_000)).toBe("matched");
    const m = await samples(registry);
    const sum = metricValue(m, "infermon_label_delay_seconds_sum", { model: "credit" }) as number;
    expect(Number.isFinite(sum)).toBe(true);
    // the arrival time stands in for a missing time: 2 s and 3 s
    expect(sum).toBe(5);
  });

  it("NaN, ±Infinity and strings are invalid labels for regression; NaN for classification", () => {
    const { q } = monitor(HOUSE("{tolerance: {absolute: 1}}"));
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "12", null, {}])
      expect(q.label("x", v, 0, 0)).toBe("invalid");
    const c = monitor(CREDIT).q;
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, 2, "2", []])
      expect(c.label("x", v, 0, 0)).toBe("invalid");
  });

  it("an over-long id is invalid and never held (memory stays bounded by max_pending × a short id)", () => {
    const { q } = monitor(CREDIT);
    const long = "x".repeat(100_000);
    expect(q.label(long, "1", 0, 0)).toBe("invalid");
    expect(q.prediction(long, "3", "1", 0.9, 0, 0)).toBeUndefined();
    expect(q.store.size).toBe(0);
    const ok = "y".repeat(512);
    expect(q.prediction(ok, "3", "1", 0.9, 0, 0)).toBe("pending");
  });
});

describe("LabelJoin across models", () => {
  it("a label never joins another model's prediction with the same id", async () => {
    const c = parseConfig(`models:\n${CREDIT}${HOUSE("{tolerance: {absolute: 1}}")}`);
    const registry = new Registry();
    const join = new LabelJoin(c.models, new QualityMetrics(registry), () => 1_000);
    join.monitor("credit")?.prediction("same", "3", "1", 0.9, 1_000, 1_000);
    expect(join.applyLabel({ model: "house", id: "same", label: 5 })).toBe("waiting");
    expect(join.applyLabelJson({ model: "credit", id: "same", label: "1" })).toBe("matched");
    expect(join.applyLabelJson({ model: "nope", id: "same", label: "1" })).toBe("unknown_model");
    const m = await samples(registry);
    expect(metricValue(m, "infermon_labels_total", { model: "credit", outcome: "matched" })).toBe(1);
    expect(metricValue(m, "infermon_labels_total", { model: "house", outcome: "matched" })).toBe(0);
    expect(metricValue(m, "infermon_label_join_waiting_labels", { model: "house" })).toBe(0);
    join.refresh(1_000);
    expect(
      metricValue(await samples(registry), "infermon_label_join_waiting_labels", { model: "house" }),
    ).toBe(1);
  });
});
