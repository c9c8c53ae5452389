// The SLO promtool suites stay cheap on a busy 2-core CI machine: promtool evaluates every rule
// of the file at every evaluation step, so the steps per scenario are bounded (they were 300 at a
// 1m interval, minutes of wall time under load) — while every burn-rate tier is still tested
// firing and quiet.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDuration } from "../../src/config/duration.js";
import { loadConfig } from "../../src/config/load.js";
import { BURN_RATE_TIERS } from "../../src/generate/conventions.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, EXAMPLE, ROOT, variantData } from "./helpers.js";

interface Suite {
  evaluation_interval: string;
  tests: {
    interval: string;
    alert_rule_test?: { eval_time: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
  }[];
}

const outputs = {
  example: generate(loadConfig(join(ROOT, EXAMPLE)), { source: EXAMPLE }),
  variant: generate(configFrom(variantData()), { source: "variant.yaml" }),
};
const ms = (d: string) => parseDuration(d) as number;

for (const [name, files] of Object.entries(outputs)) {
  const suites = [...files].filter(([p]) => /^alerts\/tests\/slo-.*\.test\.yaml$/.test(p));
  describe(`SLO suites of the ${name}`, () => {
    it("exist", () => expect(suites.length).toBeGreaterThan(0));
    for (const [path, text] of suites) {
      const suite = parse(text) as Suite;
      it(`${path}: evaluates every 5m, at most 48 steps per scenario`, () => {
        expect(suite.evaluation_interval).toBe("5m");
        for (const t of suite.tests) {
          expect(ms(t.interval)).toBeLessThanOrEqual(ms("5m") / 2); // two samples per 5m range
          for (const a of t.alert_rule_test ?? []) {
            expect(ms(a.eval_time) / ms(suite.evaluation_interval)).toBeLessThanOrEqual(48);
          }
        }
      });
      it(`${path}: every burn-rate tier is expected firing in one scenario and quiet in another`, () => {
        const slos = new Set(
          suite.tests.flatMap((t) =>
            (t.alert_rule_test ?? []).flatMap((a) => a.exp_alerts.map((e) => e.exp_labels.slo)),
          ),
        );
        for (const slo of slos) {
          for (const tier of BURN_RATE_TIERS) {
            const firing = (t: Suite["tests"][number]) =>
              (t.alert_rule_test ?? []).some((a) =>
                a.exp_alerts.some((e) => e.exp_labels.slo === slo && e.exp_labels.long_window === tier.long),
              );
            const ofSlo = suite.tests.filter((t) =>
              (t.alert_rule_test ?? []).some(
                (a) => a.exp_alerts.length === 0 || a.exp_alerts.some((e) => e.exp_labels.slo === slo),
              ),
            );
            expect(ofSlo.some(firing), `${slo} ${tier.long} firing`).toBe(true);
            expect(
              ofSlo.some((t) => !firing(t)),
              `${slo} ${tier.long} quiet`,
            ).toBe(true);
          }
        }
      });
    }
  });
}
