// The configuration files of a local monitoring stack, derived from what `infermon generate` wrote
// for a config: Prometheus scraping the agents as job `infermon` and loading the generated rule
// files, and the generated Alertmanager config with a webhook on every receiver (the generated
// receivers are named placeholders) and its notification timings shortened. The rules themselves
// are used as generated; only intervals (scrape, evaluation, grouping) are compressed here.
import { parse } from "yaml";
import { AGENT_JOB, PATHS } from "../../generate/conventions.js";
import { toYaml } from "../../generate/rules.js";

export interface StackTiming {
  /** Prometheus scrape and rule evaluation interval */
  interval: string;
  /** Alertmanager's group_wait, group_interval and repeat_interval, wherever the route tree sets them */
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export const DEMO_TIMING: StackTiming = {
  interval: "1s",
  groupWait: "1s",
  groupInterval: "5s",
  repeatInterval: "1h",
};

export function prometheusYaml(o: {
  /** the directory `infermon generate` wrote into */
  dir: string;
  targets: readonly string[];
  alertmanager: string;
  timing: StackTiming;
}): string {
  return toYaml({
    global: { scrape_interval: o.timing.interval, evaluation_interval: o.timing.interval },
    rule_files: [`${o.dir}/${PATHS.alerts}/*.rules.yaml`, `${o.dir}/${PATHS.slo}/*.rules.yaml`],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] },
    scrape_configs: [{ job_name: AGENT_JOB, static_configs: [{ targets: [...o.targets] }] }],
  });
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

function shorten(route: Route, t: StackTiming): Route {
  return {
    ...route,
    ...(route.group_wait !== undefined && { group_wait: t.groupWait }),
    ...(route.group_interval !== undefined && { group_interval: t.groupInterval }),
    ...(route.repeat_interval !== undefined && { repeat_interval: t.repeatInterval }),
    ...(route.routes && { routes: route.routes.map((r) => shorten(r, t)) }),
  };
}

/** The generated alertmanager.yaml with every receiver posting to `webhook/<receiver>`. */
export function alertmanagerYaml(generated: string, webhook: string, timing: StackTiming): string {
  const am = parse(generated) as { route: Route; receivers?: { name: string }[] } & Record<string, unknown>;
  return toYaml({
    ...am,
    route: shorten(am.route, timing),
    receivers: (am.receivers ?? []).map((r) => ({
      ...r,
      webhook_configs: [{ url: `${webhook}/${encodeURIComponent(r.name)}`, send_resolved: true }],
    })),
  });
}
