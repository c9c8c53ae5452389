// The generated promtool tests cover every alerting rule firing, and every alert name quiet.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData, variantData } from "./helpers.js";

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
}
interface TestDoc {
  tests: {
    alert_rule_test?: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
  }[];
}

for (const [name, data] of [
  ["example", exampleData()],
  ["variant", variantData()],
] as const) {
  describe(`promtool test coverage for the ${name}`, () => {
    const files = generate(configFrom(data), { source: "x.yaml" });
    const rules = [...files]
      .filter(([p]) => p.endsWith(".rules.yaml"))
      .flatMap(([, c]) => (parse(c) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules))
      .filter((r) => r.alert);
    const tests = [...files]
      .filter(([p]) => p.startsWith("alerts/tests/") && p.endsWith(".test.yaml"))
      .flatMap(([, c]) => (parse(c) as TestDoc).tests.flatMap((t) => t.alert_rule_test ?? []));

    it("makes every alerting rule fire in some test", () => {
      const fired = tests.flatMap((t) =>
        t.exp_alerts.map((a) => ({ alertname: t.alertname, labels: a.exp_labels })),
      );
      for (const r of rules) {
        const hit = fired.some(
          (f) =>
            f.alertname === r.alert && Object.entries(r.labels ?? {}).every(([k, v]) => f.labels[k] === v),
        );
        expect(hit, `${r.alert} ${JSON.stringify(r.labels)}`).toBe(true);
      }
    });

    it("checks every alert name staying quiet in some test", () => {
      for (const alert of new Set(rules.map((r) => r.alert))) {
        expect(
          tests.some((t) => t.alertname === alert && t.exp_alerts.length === 0),
          alert,
        ).toBe(true);
      }
    });
  });
}
