// Label values from traffic are bounded in length too, not only in number: a model_version or a
// class of 10 kB (a response body may carry one) would be copied into every series of the model,
// on every scrape. Values longer than MAX_LABEL_VALUE_LENGTH become `other`.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { CappedLabel, MAX_LABEL_VALUE_LENGTH, OTHER } from "../../src/export/labelValues.js";
import { AgentMetrics } from "../../src/export/metrics.js";
import { QualityMonitor } from "../../src/labels/qualityMonitor.js";
import { ModelMonitor } from "../../src/monitor/modelMonitor.js";
import { parseMetrics } from "../helpers/metricsText.js";

const config = parseConfig(`service: t
models:
  - name: iris
    version: "1"
    task: multiclass_classification
    protocol: json
    json: {features: features, prediction: prediction}
    features: [{name: a, type: numeric}]
    windows: [5m]
    min_samples: 1
`);

describe("label values from traffic are bounded in length", () => {
  it("a capped label gives `other` for an over-long value and does not spend a slot on it", () => {
    const cap = new CappedLabel(2);
    expect(cap.of("x".repeat(MAX_LABEL_VALUE_LENGTH))).toBe("x".repeat(MAX_LABEL_VALUE_LENGTH));
    expect(cap.of("y".repeat(MAX_LABEL_VALUE_LENGTH + 1))).toBe(OTHER);
    expect(cap.of("b")).toBe("b");
  });

  it("an over-long model_version or class from traffic is `other` on /metrics", async () => {
    const metrics = new AgentMetrics({ version: "0.0.0", processMetrics: false });
    const model = config.models[0];
    if (!model) throw new Error("no model");
    const monitor = new ModelMonitor(model, undefined, metrics);
    const long = "v".repeat(10_000);
    monitor.observe(
      { model: "iris", version: long, id: "1", features: { a: 1 }, prediction: "setosa", time: 0 },
      0,
    );
    monitor.observe(
      { model: "iris", version: "2", id: "2", features: { a: 1 }, prediction: long, time: 0 },
      0,
    );
    monitor.refresh(0);
    const samples = parseMetrics(await metrics.registry.metrics());
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.filter((v) => v.length > MAX_LABEL_VALUE_LENGTH)).toEqual([]);
    const versions = new Set(samples.map((s) => s.labels.model_version).filter((v) => v !== undefined));
    expect(versions).toEqual(new Set(["1", "2", OTHER]));
    const classes = new Set(samples.map((s) => s.labels.class).filter((v) => v !== undefined));
    expect(classes).toEqual(new Set(["setosa", OTHER]));
  });

  it("an over-long model_version of a labelled prediction is `other` on /metrics", async () => {
    const metrics = new AgentMetrics({ version: "0.0.0", processMetrics: false });
    const model = config.models[0];
    if (!model) throw new Error("no model");
    const quality = new QualityMonitor(model, metrics.quality);
    const long = "v".repeat(10_000);
    quality.prediction("p1", long, "setosa", undefined, 0, 0);
    quality.refresh(0);
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(
      samples.flatMap((s) => Object.values(s.labels)).filter((v) => v.length > MAX_LABEL_VALUE_LENGTH),
    ).toEqual([]);
  });
});
