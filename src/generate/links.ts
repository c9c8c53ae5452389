// Cross-cutting pass (the mixin's add-runbook-links): every alert gets `runbook_url` and
// `dashboard_url` annotations, from alerting.runbook_base_url and alerting.grafana_url, and its
// runbook's first PromQL and LogQL queries as `promql` and `logql`, with the alert's own labels
// templated in (feature, instance, pod, namespace, window…), so the page holds queries that run.
import type { AlertSpec } from "./alerts/types.js";
import { DASHBOARDS, type DashboardKey } from "./conventions.js";
import { quote } from "./promql.js";
import type { AlertingRule } from "./rules.js";

export interface LinkBase {
  runbookBaseUrl: string;
  grafanaUrl: string;
  /** alert names that have a runbook; dashboards link only to those (all when absent) */
  alerts?: ReadonlySet<string>;
}

export const runbookUrl = (base: LinkBase, alert: string): string => `${base.runbookBaseUrl}/${alert}.md`;

export function dashboardUrl(base: LinkBase, key: DashboardKey, model?: string): string {
  const d = DASHBOARDS[key];
  return `${base.grafanaUrl}/d/${d.uid}/${d.slug}${model ? `?var-model=${encodeURIComponent(model)}` : ""}`;
}

export function addLinks(
  rules: readonly AlertingRule[],
  specs: ReadonlyMap<string, AlertSpec>,
  base: LinkBase,
): AlertingRule[] {
  return rules.map((r) => {
    const spec = specs.get(r.alert);
    if (!spec) throw new Error(`generator bug: no spec for alert ${r.alert}`);
    const model = r.labels.model === undefined ? '"{{ $labels.model }}"' : quote(r.labels.model);
    const query = (line: string | undefined) => line?.replaceAll('"<model>"', model);
    const promql = query(spec.runbook.promql[0]);
    const logql = query(spec.runbook.logql[0]);
    return {
      ...r,
      annotations: {
        ...r.annotations,
        runbook_url: runbookUrl(base, r.alert),
        dashboard_url: dashboardUrl(base, spec.dashboard, r.labels.model),
        ...(promql && { promql }),
        ...(logql && { logql }),
      },
    };
  });
}
