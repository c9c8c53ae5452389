// PrometheusRule objects carry exactly the generated rule groups and pass the CRD schema.
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ruleObjectName } from "../../src/generate/kubernetes.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData, variantData } from "./helpers.js";

for (const [name, data] of [
  ["example", exampleData()],
  ["variant", variantData()],
] as const) {
  describe(`deploy/kubernetes for the ${name}`, () => {
    const files = generate(configFrom(data), { source: "x.yaml" });
    const ruleFiles = [...files.keys()].filter((p) => p.endsWith(".rules.yaml"));

    it("has one valid PrometheusRule per rules file, with the same groups", () => {
      for (const path of ruleFiles) {
        const k8s = files.get(`deploy/kubernetes/${ruleObjectName(path)}.prometheusrule.yaml`);
        expect(k8s, path).toBeDefined();
        const obj = parse(k8s as string);
        const rule = new PrometheusRule(obj);
        expect(() => rule.validate()).not.toThrow();
        expect(obj.spec.groups).toEqual(parse(files.get(path) as string).groups);
      }
    });

    it("has a valid PodMonitor that scrapes the agent as job infermon", () => {
      const obj = parse(files.get("deploy/kubernetes/infermon.podmonitor.yaml") as string);
      expect(() => new PodMonitor(obj).validate()).not.toThrow();
      expect(obj.spec.podMetricsEndpoints[0].relabelings).toContainEqual(
        expect.objectContaining({ targetLabel: "job", replacement: "infermon" }),
      );
      // agent-down alerts name the model of a pod labelled infermon.io/model, and the agent's
      // own model labels are kept (honorLabels), not renamed exported_model
      expect(obj.spec.podMetricsEndpoints[0].relabelings).toContainEqual({
        action: "replace",
        sourceLabels: ["__meta_kubernetes_pod_label_infermon_io_model"],
        targetLabel: "model",
      });
      expect(obj.spec.podMetricsEndpoints[0].honorLabels).toBe(true);
    });
  });
}

describe("the PrometheusRule schema check", () => {
  it("rejects a malformed rule (so the validation above means something)", () => {
    const bad = new PrometheusRule({
      metadata: { name: "bad" },
      spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up", for: "soon" }] }] },
    });
    expect(() => bad.validate()).toThrow();
  });
});
