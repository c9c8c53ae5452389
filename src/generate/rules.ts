// Prometheus rule-file types and their YAML rendering, shared by alerts/, slo/ and fleetDrift.
import { stringify } from "yaml";

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  /** keep firing this long after the expression stops returning (Prometheus ≥ 2.42) */
  keepFiringFor?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  /** path relative to the output directory, e.g. `alerts/drift.rules.yaml` */
  path: string;
  groups: RuleGroup[];
  /** comment lines written under the header */
  comments?: string[];
}

export const isAlert = (r: Rule): r is AlertingRule => "alert" in r;

/** Keys in the order people read them (alert/record, expr, for, labels, annotations). */
function ordered(rule: Rule): Record<string, unknown> {
  if (isAlert(rule)) {
    return {
      alert: rule.alert,
      expr: rule.expr,
      for: rule.for,
      ...(rule.keepFiringFor && { keep_firing_for: rule.keepFiringFor }),
      labels: sortKeys(rule.labels),
      annotations: sortKeys(rule.annotations),
    };
  }
  return { record: rule.record, expr: rule.expr, ...(rule.labels && { labels: sortKeys(rule.labels) }) };
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** YAML text of a value, no line folding, stable. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indent: 2 });
}

/** The `groups:` document of a rule file (without header). */
export function renderRuleGroups(groups: readonly RuleGroup[]): string {
  return toYaml({
    groups: groups.map((g) => ({
      name: g.name,
      ...(g.interval && { interval: g.interval }),
      rules: g.rules.map(ordered),
    })),
  });
}

/** Plain objects for consumers that want the groups as data (PrometheusRule). */
export function ruleGroupsData(
  groups: readonly RuleGroup[],
): { name: string; rules: Record<string, unknown>[] }[] {
  return groups.map((g) => ({
    name: g.name,
    ...(g.interval && { interval: g.interval }),
    rules: g.rules.map(ordered),
  }));
}
