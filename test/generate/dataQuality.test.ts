// The generated data-quality alerts read the model's `data_quality` shares, and judge a share
// exactly as `infermon drift` does (ADR 0009): the CI gate and the pages agree.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generate } from "../../src/generate/pipeline.js";
import { writeArtifacts } from "../../src/generate/write.js";
import { shareLevel } from "../../src/stats/drift.js";
import { requireTool } from "../helpers/peers.js";
import { configFrom, exampleData, removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const data = exampleData();
const models = data.models as Record<string, unknown>[];
(models[0] as Record<string, unknown>).data_quality = {
  missing: { warning: 0.1, critical: 0.3 },
  unseen: { warning: 0, critical: 0.5 },
};
// house-price promotes data quality to pages (models[].severity); credit keeps the ticket default
(models[1] as Record<string, unknown>).severity = { data_quality: "page" };
const config = configFrom(data);
const files = generate(config, { source: "variant.yaml" });

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
}
const rules = (
  parse(files.get("alerts/data-quality.rules.yaml") as string) as { groups: { rules: Rule[] }[] }
).groups[0]!.rules;
const threshold = (alert: string, model: string, severity: string) =>
  Number(
    rules
      .find((r) => r.alert === alert && r.labels.model === model && r.labels.severity === severity)
      ?.expr.match(/>\s*([\d.]+)\s*$/)?.[1],
  );

describe("generated data-quality alerts", () => {
  it("compare with the model's data_quality shares, warning and critical", () => {
    // before: one warning rule at the constant 5 % for every model. Data quality is a ticket by
    // default: the critical share tickets (severity warning), the warning share is info
    expect(threshold("InfermonFeatureMissingRateHigh", "credit", "info")).toBe(0.1);
    expect(threshold("InfermonFeatureMissingRateHigh", "credit", "warning")).toBe(0.3);
    expect(threshold("InfermonFeatureUnseenCategoryRateHigh", "credit", "info")).toBe(0);
    expect(threshold("InfermonFeatureUnseenCategoryRateHigh", "credit", "warning")).toBe(0.5);
    expect(rules.some((r) => r.labels.model === "credit" && r.labels.severity === "critical")).toBe(false);
    // defaults elsewhere, promoted to pages
    expect(threshold("InfermonFeatureMissingRateHigh", "house-price", "warning")).toBe(0.05);
    expect(threshold("InfermonFeatureMissingRateHigh", "house-price", "critical")).toBe(0.2);
    expect(threshold("InfermonFeatureInvalidRateHigh", "house-price", "critical")).toBe(0.2);
  });

  it("fire in their promtool scenarios exactly when batch drift gives the share that level", () => {
    const tests = parse(files.get("alerts/tests/data-quality.test.yaml") as string) as {
      tests: {
        input_series: { series: string; values: string }[];
        alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
      }[];
    };
    let checked = 0;
    for (const t of tests.tests) {
      const events = t.input_series.find((s) => s.series.startsWith("infermon_events_total"));
      const bad = t.input_series.find((s) => s !== events);
      const perMinute = (v: string | undefined) => Number(v?.match(/^0\+([\d.]+)x/)?.[1]);
      const share = perMinute(bad?.values) / perMinute(events?.values);
      const model = config.models.find((m) => bad?.series.includes(`model="${m.name}"`))!;
      const kind = bad?.series.startsWith("infermon_feature_missing")
        ? "missing"
        : bad?.series.startsWith("infermon_feature_invalid")
          ? "invalid"
          : "unseen";
      const expected = shareLevel(share, model.dataQuality[kind]);
      const severities = t.alert_rule_test[0]!.exp_alerts.map((a) => a.exp_labels.severity).sort();
      const [top, low] =
        model.severity.data_quality === "page" ? ["critical", "warning"] : ["warning", "info"];
      expect(severities).toEqual(
        expected === "critical" ? [top, low].sort() : expected === "warning" ? [low] : [],
      );
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it.skipIf(!requireTool("promtool"))("pass promtool test rules", () => {
    const dir = tempDir("dq");
    writeArtifacts(dir, files);
    execFileSync("promtool", ["test", "rules", join("alerts/tests/data-quality.test.yaml")], { cwd: dir });
  });
});
