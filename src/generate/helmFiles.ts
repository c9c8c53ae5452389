// deploy/helm/infermon/files/: what the Helm chart renders by default, from the same configuration
// as everything else — the agents' base infermon.yaml (the chart adds listeners and where
// predictions are joined per mode), the reference profiles, the rule groups and the dashboards.
// The chart's values override each (`config`, `profiles`); `generate` keeps these in step.
import type { Config } from "../config/model.js";
import { PATHS } from "./conventions.js";
import { DeployError } from "./deploy/agentConfig.js";
import { PROFILES_DIR } from "./deploy/common.js";
import { readProfiles } from "./deploy/profiles.js";
import { type RuleFile, renderRuleGroups, toYaml } from "./rules.js";

/** Keys the chart sets per mode, or that only `generate` reads. */
const TOPOLOGY_KEYS = ["deploy", "alerting", "tap", "ingest", "forward", "metrics"] as const;

export function renderHelmFiles(
  config: Config,
  files: readonly RuleFile[],
  dashboards: ReadonlyMap<string, string>,
  header: string,
): Map<string, string> {
  const doc = config.document;
  if (!doc) throw new DeployError(`${config.source}: generator bug: the configuration document is missing`);
  const base: Record<string, unknown> = structuredClone(doc);
  for (const k of TOPOLOGY_KEYS) delete base[k];
  base.models = (doc.models as Record<string, unknown>[]).map((m) =>
    m.reference === undefined ? m : { ...m, reference: `${PROFILES_DIR}/${m.name as string}.json` },
  );
  // the upstream's options without its addresses (the chart sets listen and upstream)
  if (config.tap) {
    const { listen: _l, upstream: _u, ...tap } = doc.tap as Record<string, unknown>;
    base.tap = tap;
  }
  const dir = PATHS.helmFiles;
  const out = new Map<string, string>();
  out.set(`${dir}/infermon.yaml`, `# ${header}\n${toYaml(base)}`);
  out.set(`${dir}/profiles.yaml`, `# ${header}\n${toYaml(readProfiles(config))}`);
  for (const f of files) {
    const name = f.path.replace(/\.rules\.yaml$/, "").replace(/\//g, "-");
    out.set(`${dir}/rules/${name}.yaml`, `# ${header}\n${renderRuleGroups(f.groups)}`);
  }
  for (const [path, text] of dashboards)
    if (path.endsWith(".json")) out.set(`${dir}/dashboards/${path.replace(/^.*\//, "")}`, text);
  return out;
}
