// dashboards/<key>.json, one per concern, and Grafana's provisioning files beside them.
import { DASHBOARDS, type DashboardKey, PATHS } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { agent } from "./agent.js";
import { type DashboardParts, dashboard } from "./common.js";
import { drift } from "./drift.js";
import { overview } from "./overview.js";
import { predictions } from "./predictions.js";
import { renderProvisioning } from "./provisioning.js";
import { quality } from "./quality.js";
import { rollouts } from "./rollouts.js";

const BUILDERS: Record<DashboardKey, (links: LinkBase) => DashboardParts> = {
  overview,
  drift,
  predictions,
  quality,
  agent,
  rollouts,
};

export function renderDashboards(links: LinkBase, header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of Object.keys(DASHBOARDS) as DashboardKey[]) {
    const json = dashboard(BUILDERS[key](links), links, header);
    out.set(`${PATHS.dashboards}/${key}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  for (const [path, content] of renderProvisioning(header)) out.set(path, content);
  return out;
}
