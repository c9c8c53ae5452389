// Label rules follow the model's expected label delay, and only models that expect labels (quality
// thresholds, a correctness SLO, or a `labels:` block) get any.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData } from "./helpers.js";

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

function labelRules(data: Record<string, unknown>): Rule[] {
  const files = generate(configFrom(data), { source: "x.yaml" });
  const text = files.get("alerts/labels.rules.yaml");
  if (text === undefined) return [];
  return (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
}

function withChurn(extra: Record<string, unknown>): Record<string, unknown> {
  const d = exampleData();
  (d.models as Record<string, unknown>[]).push({
    name: "churn",
    task: "binary_classification",
    features: [{ name: "tenure", type: "numeric" }],
    windows: ["10m"],
    ...extra,
  });
  return d;
}

describe("labels-not-arriving rules", () => {
  it("read the expected label delay, offset by it, not a fixed hour", () => {
    const credit = labelRules(exampleData()).find(
      (r) => r.alert === "InfermonLabelsNotArriving" && r.labels?.model === "credit",
    );
    expect(credit?.expr).toContain('rate(infermon_events_total{model="credit"}[2h] offset 2h)');
    expect(credit?.expr).toContain('rate(infermon_labels_total{model="credit",outcome="matched"}[2h])');
    expect(credit?.for).toBe("30m");
  });

  it("fall back to the ttl when no expected delay is given", () => {
    const rules = labelRules(withChurn({ labels: { ttl: "6h" } }));
    const churn = rules.find((r) => r.alert === "InfermonLabelsNotArriving" && r.labels?.model === "churn");
    expect(churn?.expr).toContain("[6h] offset 6h");
    expect(churn?.for).toBe("1h");
  });

  it("are not generated for a model without quality, correctness SLO or labels block", () => {
    const rules = labelRules(withChurn({}));
    expect(rules.some((r) => r.labels?.model === "churn")).toBe(false);
    expect(rules.some((r) => r.labels?.model === "credit")).toBe(true);
    // and no labels file at all when no model expects labels
    const d = exampleData();
    for (const m of d.models as Record<string, unknown>[]) {
      delete m.quality;
      delete m.labels;
      delete (m.slo as Record<string, unknown>).correctness;
    }
    expect(labelRules(d)).toEqual([]);
  });

  it("rejects an expected delay longer than the ttl", () => {
    expect(() => configFrom(withChurn({ labels: { ttl: "1h", expected_delay: "2h" } }))).toThrow(
      /labels\.expected_delay: must not exceed labels\.ttl/,
    );
  });
});
