// What an alert concern (drift, quality, agent, …) hands to the pipeline: the rules per model,
// the alert's documentation (runbook) and promtool scenarios that make it fire and stay quiet.
import type { ModelConfig } from "../../config/model.js";
import { longestTimeWindow } from "../../config/window.js";
import { type DashboardKey, type Severity, UNOWNED } from "../conventions.js";
import type { AlertingRule, RecordingRule } from "../rules.js";
import type { Concern, SeverityPolicy } from "../severity.js";

export interface Runbook {
  meaning: string;
  impact: string;
  /** what to look at first, in order */
  diagnosis: string[];
  promql: string[];
  logql: string[];
  mitigation: string[];
}

/** One alert name: its static summary, templated description and documentation. */
export interface AlertSpec {
  name: string;
  /** what the alert is about: its severity comes from the policy for this concern (severity.ts) */
  concern: Concern;
  summary: string;
  /** Go template; only `{{ $labels.x }}`, `{{ $value | humanizePercentage }}`, `{{ $value | printf "%.3f" }}` */
  description: string;
  dashboard: DashboardKey;
  runbook: Runbook;
}

/** One input series of a promtool test. */
export interface SeriesInput {
  series: string;
  values: string;
}

/** An alert expected to be firing in a scenario (labels of the expression's result and its value). */
export interface ExpectedAlert {
  /** the rule's `model` label; undefined for a rule without one (e.g. a target of no known model) */
  model: string | undefined;
  severity: Severity;
  labels: Record<string, string>;
  value: number;
  /** further static rule labels that pick the rule (e.g. the burn-rate long window) */
  ruleLabels?: Record<string, string>;
  /** annotations as Prometheus expands them, where the template reads queries (drift's top features) */
  annotations?: Record<string, string>;
}

export interface Scenario {
  name: string;
  input: SeriesInput[];
  /** evaluation time, e.g. `30m` */
  evalTime: string;
  /** per alert name, the alerts firing at evalTime (empty: must not fire) */
  expect: { alertname: string; alerts: ExpectedAlert[] }[];
  /** series sample interval (default 1m) */
  interval?: string;
  /** PromQL checks at evalTime: `expr` must return exactly these samples */
  exprs?: { expr: string; samples: { labels: string; value: number }[] }[];
}

/** What a concern produces for the whole config. */
export interface AlertConcernOutput {
  /** file stem: alerts/<file>.rules.yaml */
  file: string;
  group: string;
  rules: AlertingRule[];
  /** recording rules the alerts read, evaluated first in the same group */
  records?: RecordingRule[];
  specs: AlertSpec[];
  scenarios: Scenario[];
}

export type AlertConcern = (
  models: readonly ModelConfig[],
  ctx: ConcernContext,
) => AlertConcernOutput | undefined;

export interface ConcernContext {
  kafka: boolean;
  /** the policy of rules that belong to no model (alerting.severity) */
  alerting: { severity: SeverityPolicy };
}

/** A per-model alerting rule with the conventional labels; links are added by a later pass. */
export function modelAlert(
  spec: AlertSpec,
  model: ModelConfig,
  severity: Severity,
  expr: string,
  forDuration: string,
  opts: { labels?: Record<string, string>; description?: string } = {},
): AlertingRule {
  return {
    alert: spec.name,
    expr,
    for: forDuration,
    labels: {
      ...opts.labels,
      concern: spec.concern,
      model: model.name,
      owner: model.owner ?? UNOWNED,
      severity,
    },
    // the rule is per model, so the model's name is spelled out: `$labels` are the expression's
    // labels, and agent-wide expressions (`up`, drops) carry no `model`
    annotations: {
      summary: spec.summary,
      description: (opts.description ?? spec.description).replaceAll("{{ $labels.model }}", model.name),
    },
  };
}

/**
 * The longest configured time window: drift and quality alerts read it (the steadiest estimate;
 * count windows are not PromQL ranges, so the fleet rules and alerts never read them).
 */
export function longestWindow(model: ModelConfig): string {
  return longestTimeWindow(model.windows).name;
}
