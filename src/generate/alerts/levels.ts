// Alerts on a gauge against a warning/critical pair: the two rules share the alert name
// (critical inhibits warning in Alertmanager) and three promtool scenarios cover them. Each
// level's `severity` label comes from the severity policy of the alert's concern (severity.ts).
import type { Levels, ModelConfig } from "../../config/model.js";
import { num, sel } from "../promql.js";
import type { AlertingRule } from "../rules.js";
import { type RuleLevel, severityFor } from "../severity.js";
import type { AlertSpec, ExpectedAlert, Scenario } from "./types.js";
import { modelAlert } from "./types.js";

const LEVELS = ["warning", "critical"] as const;

/** The levels of a pair that the policy generates, with their severity. */
export function policyLevels(
  model: ModelConfig,
  spec: AlertSpec,
  levels: readonly RuleLevel[] = LEVELS,
): { level: RuleLevel; severity: NonNullable<ReturnType<typeof severityFor>> }[] {
  return levels.flatMap((level) => {
    const severity = severityFor(model, spec.concern, level);
    return severity ? [{ level, severity }] : [];
  });
}

export interface LevelOptions {
  /** what is measured, for the description: `PSI of feature {{ $labels.feature }}` */
  what: string;
  /** `below`: fire when the value falls under the threshold (accuracy) */
  direction?: "above" | "below";
  /** keep_firing_for of the rules */
  keepFiringFor?: string;
  /** static labels of the rules (e.g. the feature of a per-feature rule) */
  labels?: Record<string, string>;
}

/** When the scenarios evaluate, and how long their series run (for longer `for:` durations). */
export interface ScenarioTiming {
  evalTime: string;
  /** samples of the 1m series */
  samples: number;
  /** static labels that pick the rules under test (per-feature rules) */
  ruleLabels?: Record<string, string>;
}
const DEFAULT_TIMING: ScenarioTiming = { evalTime: "30m", samples: 40 };

export function levelRules(
  spec: AlertSpec,
  model: ModelConfig,
  metricSel: string,
  levels: Levels,
  forDuration: string,
  opts: LevelOptions,
): AlertingRule[] {
  const below = opts.direction === "below";
  return policyLevels(model, spec).map(({ level, severity }) => ({
    ...modelAlert(
      spec,
      model,
      severity,
      `${metricSel} ${below ? "<" : ">"} ${num(levels[level])}`,
      forDuration,
      {
        ...(opts.labels && { labels: opts.labels }),
        description: `${opts.what} of model {{ $labels.model }} (version {{ $labels.model_version }}) over the {{ $labels.window }} window is {{ $value | printf "%.3f" }}, ${below ? "below" : "above"} the ${level} level ${num(levels[level])}.`,
      },
    ),
    ...(opts.keepFiringFor && { keepFiringFor: opts.keepFiringFor }),
  }));
}

/** Past critical (both fire), between the levels (warning only), on the good side (none). */
export function levelScenarios(
  name: string,
  spec: AlertSpec,
  model: ModelConfig,
  metric: string,
  labels: Record<string, string>,
  levels: Levels,
  direction: "above" | "below" = "above",
  timing: ScenarioTiming = DEFAULT_TIMING,
): Scenario[] {
  const series = (v: number) => [{ series: sel(metric, labels), values: `${num(v)}+0x${timing.samples}` }];
  const alertname = spec.name;
  const fires = (v: number, levels: readonly RuleLevel[]): ExpectedAlert[] =>
    policyLevels(model, spec, levels).map(({ severity }) => ({
      model: model.name,
      severity,
      labels,
      value: v,
      ...(timing.ruleLabels && { ruleLabels: timing.ruleLabels }),
    }));
  const below = direction === "below";
  const bad = below ? levels.critical / 2 : levels.critical > 0 ? levels.critical * 2 : 1;
  const between = (levels.warning + levels.critical) / 2;
  const good = below ? levels.warning + Math.max(levels.warning - levels.critical, 0.01) : levels.warning / 2;
  const out: Scenario[] = [];
  if (!below || levels.critical > 0) {
    out.push({
      name: `${name}: past critical`,
      input: series(bad),
      evalTime: timing.evalTime,
      expect: [{ alertname, alerts: fires(bad, LEVELS) }],
    });
  }
  if (levels.critical !== levels.warning && (below ? between < levels.warning : between > levels.warning)) {
    out.push({
      name: `${name}: between warning and critical`,
      input: series(between),
      evalTime: timing.evalTime,
      expect: [{ alertname, alerts: fires(between, ["warning"]) }],
    });
  }
  if (below || levels.warning > 0) {
    out.push({
      name: `${name}: within the warning threshold`,
      input: series(good),
      evalTime: timing.evalTime,
      expect: [{ alertname, alerts: [] }],
    });
  }
  return out;
}
