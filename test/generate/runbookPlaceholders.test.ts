// After the merge of per-agent EventsDropped (main) with runbook queries that name each model
// (alert-quality): the PromQL heading names only the placeholders left to fill in.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const heading = (alert: string) =>
  readFileSync(`alerts/runbooks/${alert}.md`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("PromQL"));

describe("runbook PromQL heading", () => {
  it("asks for the alert's instance where a query reads it", () => {
    expect(heading("InfermonEventsDropped")).toBe(
      "PromQL (replace `<instance>` with the alert's label, or copy the first query from the alert's `promql` annotation, where they are filled in):",
    );
    expect(heading("InfermonFeatureDrift")).toMatch(
      /^PromQL \(replace `<namespace>`, `<model_version>`, `<window>` with/,
    );
  });
  it("asks for nothing where the models are filled in", () => {
    expect(heading("InfermonParseErrors")).toBe("PromQL:");
  });
});
