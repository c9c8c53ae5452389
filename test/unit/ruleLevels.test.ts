// The demo's judge of the generated rules on one agent's samples: the levels and `for:` come from
// the rules, for both rule shapes (a number; a recorded or exported level series, per model).
import { describe, expect, it } from "vitest";
import { demoConfig } from "../../src/demo/demoConfig.js";
import type { Sample } from "../../src/demo/metricsText.js";
import { RuleLevelJudge } from "../../src/demo/ruleLevels.js";
import { buildRules } from "../../src/generate/pipeline.js";
import type { Rule } from "../../src/generate/rules.js";
import { validateForGenerate } from "../../src/generate/validate.js";

const config = demoConfig({
  upstream: "http://127.0.0.1:1",
  reference: "/nonexistent.json",
  listen: { tap: "127.0.0.1:0", ingest: "127.0.0.1:0", metrics: "127.0.0.1:0" },
});
const generated = buildRules(config, validateForGenerate(config)).files.flatMap((f) =>
  f.groups.flatMap((g) => g.rules),
);
const W = { model: "credit", model_version: "3", window: "30s" };
const js = (feature: string, value: number): Sample => ({
  name: "infermon_feature_js_distance",
  labels: { ...W, feature },
  value,
});

describe("RuleLevelJudge on the demo's generated rules", () => {
  const judge = new RuleLevelJudge(generated);

  it("reads the drift and quality levels from the rules", () => {
    expect(judge.size).toBeGreaterThan(0);
    const psi = config.models[0]?.drift.fixed.js; // the statistic that alerts (drift.statistic, default js)
    expect(judge.levelsFor("infermon_feature_js_distance", { ...W, feature: "income" })).toMatchObject({
      warning: psi?.warning,
      critical: psi?.critical,
    });
    expect(judge.levelsFor("infermon_model_accuracy", W)).toMatchObject({
      warning: config.models[0]?.quality.accuracy?.warning,
      op: "<",
    });
  });

  it("pends, then fires after the rule's for:, and stops when the value falls back", () => {
    const t0 = 1_000_000;
    const forMs = 5000; // drift.for in the demo config
    const pending = judge.evaluate([js("region", 0.5), js("age", 0.01)], t0);
    expect(pending.length).toBeGreaterThan(0);
    // one alert per model and level (issue #17): the feature is not a label of the alert
    expect(pending.every((a) => a.state === "pending" && (a.labels.feature ?? "region") === "region")).toBe(
      true,
    );
    const firing = judge.evaluate([js("region", 0.5)], t0 + forMs);
    expect(firing.some((a) => a.state === "firing" && a.levelName === "critical")).toBe(true);
    expect(judge.evaluate([js("region", 0.01)], t0 + forMs + 1000)).toEqual([]);
    expect([...judge.fired.values()].some((a) => a.alert === "InfermonFeatureDrift")).toBe(true);
  });
});

describe("RuleLevelJudge on per-model rules against level series", () => {
  const sel = 'model="credit",window="30s"';
  const rules: Rule[] = [
    // per-feature levels recorded as constants (fixed levels for one feature, another for the rest)
    {
      record: "model_feature:infermon_feature_drift_level:fleet",
      expr: `0 * model_feature:infermon_feature_observations:increase{${sel},feature="region"} + 0.3\nor\n0 * model_feature:infermon_feature_observations:increase{${sel},feature="income"} + 0.1`,
      labels: { model: "credit", window: "30s", level: "warning" },
    },
    {
      alert: "InfermonFeatureDrift",
      expr: `count by (namespace, model, model_version, window) (\n  model_feature:infermon_feature_js_distance:fleet{${sel}}\n  >= on (namespace, model, model_version, feature, window)\n  model_feature:infermon_feature_drift_level:fleet{${sel},level="warning"}\n)`,
      for: "0s",
      labels: { model: "credit", level: "warning", severity: "info" },
      annotations: {},
    },
    {
      alert: "InfermonPredictionDrift",
      expr: `max by (namespace, model, model_version, window) (\n  infermon_prediction_js_distance{${sel}}\n  >= ignoring (statistic, level)\n  infermon_prediction_drift_level{${sel},level="critical"}\n)`,
      for: "0s",
      labels: { model: "credit", level: "critical", severity: "critical" },
      annotations: {},
    },
  ];
  const judge = new RuleLevelJudge(rules);

  it("counts the features past their own recorded level, one alert per model", () => {
    const alerts = judge.evaluate([js("income", 0.2), js("region", 0.2), js("age", 0.9)], 0);
    const drift = alerts.filter((a) => a.alert === "InfermonFeatureDrift");
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ value: 1, levelName: "warning", severity: "info", state: "firing" });
    expect(drift[0]?.labels).not.toHaveProperty("feature");
    expect(judge.levelsFor("infermon_feature_js_distance", { ...W, feature: "region" })).toMatchObject({
      warning: 0.3,
      op: ">=",
    });
  });

  it("compares with a level the agent exports, matching labels but the ignored ones", () => {
    const samples: Sample[] = [
      { name: "infermon_prediction_js_distance", labels: W, value: 0.25 },
      {
        name: "infermon_prediction_drift_level",
        labels: { ...W, statistic: "js", level: "critical" },
        value: 0.2,
      },
    ];
    const alerts = judge.evaluate(samples, 0).filter((a) => a.alert === "InfermonPredictionDrift");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ value: 0.25, level: 0.2, levelName: "critical" });
    samples[0] = { ...samples[0], value: 0.1 } as Sample;
    expect(judge.evaluate(samples, 1).filter((a) => a.alert === "InfermonPredictionDrift")).toEqual([]);
  });
});
