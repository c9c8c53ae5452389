// The latency and drift runbooks lead from the alert to example traces (exemplars, TraceQL) and
// to their log lines (LogQL on trace_id / request_id); other runbooks do not get the section.
import { describe, expect, it } from "vitest";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData } from "./helpers.js";

const files = generate(configFrom(exampleData()), { source: "examples/infermon.yaml" });
const runbook = (name: string) => files.get(`alerts/runbooks/${name}.md`) as string;

describe("runbooks: alert → traces → logs", () => {
  it.each(["InfermonLatencyErrorBudgetBurn", "InfermonFeatureDrift", "InfermonPredictionDrift"])(
    "%s explains the way to traces and logs",
    (name) => {
      const text = runbook(name);
      const section = text.slice(
        text.indexOf("## From the alert to traces and logs"),
        text.indexOf("## Mitigation"),
      );
      expect(section).toContain("```traceql");
      expect(section).toContain('span.infermon.model = "<model>"');
      expect(section).toContain('{container="infermon"} | json | trace_id="<trace_id>"');
      expect(section).toContain('{container="infermon"} | json | request_id="<request_id>"');
    },
  );

  it("the latency runbook starts from the exemplars; others have no such section", () => {
    expect(runbook("InfermonLatencyErrorBudgetBurn")).toMatch(/dots are exemplars/);
    expect(runbook("InfermonAgentDown")).not.toContain("## From the alert to traces and logs");
  });
});
