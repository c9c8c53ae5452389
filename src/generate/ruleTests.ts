// promtool unit-test files generated with the rules: every alert firing and staying quiet.
// Expected labels and annotations are derived from the final rules (after the links pass).
import { posix } from "node:path";
import type { Scenario } from "./alerts/types.js";
import { PATHS } from "./conventions.js";
import { type AlertingRule, isAlert, type RuleFile, sortKeys, toYaml } from "./rules.js";
import { expandTemplate } from "./template.js";

export interface TestSuite {
  /** the rule file under test */
  rules: RuleFile;
  scenarios: Scenario[];
  /** stem of alerts/tests/<name>.test.yaml */
  name: string;
  /** promtool's evaluation_interval (default 1m); coarser keeps long suites cheap */
  evaluationInterval?: string;
}

function findRule(
  rules: readonly AlertingRule[],
  alertname: string,
  e: Scenario["expect"][number]["alerts"][number],
) {
  const found = rules.filter(
    (r) =>
      r.alert === alertname &&
      r.labels.model === e.model &&
      r.labels.severity === e.severity &&
      Object.entries(e.ruleLabels ?? {}).every(([k, v]) => r.labels[k] === v),
  );
  if (found.length !== 1) {
    throw new Error(`generator bug: ${found.length} rules match ${alertname} ${JSON.stringify(e)}`);
  }
  return found[0] as AlertingRule;
}

function testCase(rules: readonly AlertingRule[], s: Scenario): Record<string, unknown> {
  // an alert the severity policy does not generate can only be expected quiet: nothing to test
  const expected = s.expect.filter((x) => x.alerts.length > 0 || rules.some((r) => r.alert === x.alertname));
  const alertTests = expected.map((x) => {
    if (!rules.some((r) => r.alert === x.alertname)) throw new Error(`generator bug: no rule ${x.alertname}`);
    return {
      eval_time: s.evalTime,
      alertname: x.alertname,
      exp_alerts: x.alerts.map((e) => {
        const rule = findRule(rules, x.alertname, e);
        return {
          exp_labels: sortKeys({ ...e.labels, ...rule.labels }),
          exp_annotations: sortKeys(
            Object.fromEntries(
              Object.entries(rule.annotations).map(([k, v]) => [
                k,
                e.annotations?.[k] ?? expandTemplate(v, e.labels, e.value),
              ]),
            ),
          ),
        };
      }),
    };
  });
  return {
    name: s.name,
    interval: s.interval ?? "1m",
    input_series: s.input,
    ...(alertTests.length > 0 && { alert_rule_test: alertTests }),
    ...(s.exprs && {
      promql_expr_test: s.exprs.map((x) => ({ expr: x.expr, eval_time: s.evalTime, exp_samples: x.samples })),
    }),
  };
}

/** alerts/tests/<name>.test.yaml content (without header) and its path. */
export function renderTestSuite(suite: TestSuite): { path: string; content: string } {
  const path = posix.join(PATHS.tests, `${suite.name}.test.yaml`);
  const rules = suite.rules.groups.flatMap((g) => g.rules).filter(isAlert);
  const doc = {
    rule_files: [posix.relative(PATHS.tests, suite.rules.path)],
    evaluation_interval: suite.evaluationInterval ?? "1m",
    tests: suite.scenarios.map((s) => testCase(rules, s)),
  };
  return { path, content: toYaml(doc) };
}
