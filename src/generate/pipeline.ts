// config → artifacts (path → content), pure. A pipeline of small steps, cross-cutting passes
// last: validate → alert concerns → SLO rules → fleet drift → links → tests, runbooks,
// Alertmanager, dashboards, Kubernetes → headers.
import type { Config } from "../config/model.js";
import { renderAlertmanager, routeCases } from "./alertmanager.js";
import { agentAlerts } from "./alerts/agent.js";
import { dataQualityAlerts } from "./alerts/dataQuality.js";
import { driftAlerts } from "./alerts/drift.js";
import { labelAlerts } from "./alerts/labels.js";
import { qualityAlerts } from "./alerts/quality.js";
import { shadowAlerts } from "./alerts/shadow.js";
import type { AlertConcern, AlertSpec, Scenario } from "./alerts/types.js";
import { variantAlerts } from "./alerts/variants.js";
import { generatedHeader, PATHS } from "./conventions.js";
import { renderDashboards } from "./dashboards/index.js";
import { fleetDriftGroups, fleetDriftScenarios } from "./fleetDrift.js";
import { fleetQualityGroups, fleetQualityScenarios } from "./fleetQuality.js";
import { renderHelmFiles } from "./helmFiles.js";
import { renderKubernetes } from "./kubernetes.js";
import { addLinks, type LinkBase } from "./links.js";
import { gateScenarios } from "./rollouts/gateScenarios.js";
import { gateGroups } from "./rollouts/gates.js";
import { renderRollouts } from "./rollouts/templates.js";
import {
  type AlertingRule,
  isAlert,
  type RuleFile,
  type RuleGroup,
  renderRuleGroups,
  toYaml,
} from "./rules.js";
import { renderTestSuite, type TestSuite } from "./ruleTests.js";
import { renderRunbook, runbookPath } from "./runbooks.js";
import { sloGroups } from "./slo/rules.js";
import { SLO_TEST_INTERVAL, sloScenarios } from "./slo/scenarios.js";
import { type Sli, slis } from "./slo/sli.js";
import { burnSpec } from "./slo/specs.js";
import { validateForGenerate } from "./validate.js";

const CONCERNS: readonly AlertConcern[] = [
  driftAlerts,
  qualityAlerts,
  dataQualityAlerts,
  labelAlerts,
  agentAlerts,
  variantAlerts,
  shadowAlerts,
];

/** Thrown when a config yields nothing to write (Sloth's ErrNoSLORules). */
export class NothingGeneratedError extends Error {
  override name = "NothingGeneratedError";
}

export interface RulesStage {
  files: RuleFile[];
  suites: TestSuite[];
  specs: Map<string, AlertSpec>;
  links: LinkBase;
}

/** Alert and SLO rule files with their test scenarios, before links. */
export function buildRules(config: Config, links: LinkBase): RulesStage {
  const files: RuleFile[] = [];
  const suites: TestSuite[] = [];
  const specs = new Map<string, AlertSpec>();
  const ctx = { kafka: config.kafka !== undefined, alerting: config.alerting };
  for (const concern of CONCERNS) {
    const out = concern(config.models, ctx);
    if (!out || out.rules.length === 0) continue;
    for (const s of out.specs) specs.set(s.name, s);
    const file: RuleFile = {
      path: `${PATHS.alerts}/${out.file}.rules.yaml`,
      groups: [{ name: out.group, rules: [...(out.records ?? []), ...out.rules] }],
    };
    files.push(file);
    suites.push({ rules: file, scenarios: out.scenarios, name: out.file });
  }
  const fleet = fleetDriftGroups(config.models);
  if (fleet.length > 0) {
    const file: RuleFile = { path: `${PATHS.alerts}/fleet-drift.rules.yaml`, groups: fleet };
    files.push(file);
    suites.push({ rules: file, scenarios: fleetDriftScenarios(config.models), name: "fleet-drift" });
  }
  const fleetQuality = fleetQualityGroups(config.models);
  if (fleetQuality.length > 0) {
    const file: RuleFile = { path: `${PATHS.alerts}/fleet-quality.rules.yaml`, groups: fleetQuality };
    files.push(file);
    suites.push({ rules: file, scenarios: fleetQualityScenarios(config.models), name: "fleet-quality" });
  }
  const gates = gateGroups(config.models);
  if (gates.length > 0) {
    // canary gates: what each gate decides on, as series (Argo Rollouts / Flagger templates read them)
    const file: RuleFile = { path: `${PATHS.alerts}/rollout-gates.rules.yaml`, groups: gates };
    files.push(file);
    suites.push({ rules: file, scenarios: gateScenarios(config.models), name: "rollout-gates" });
  }
  for (const model of config.models) {
    const list = slis(model);
    if (list.length === 0) continue; // a model without SLOs gets no SLO rules
    const groups: RuleGroup[] = list.flatMap(sloGroups);
    const scenarios: Scenario[] = list.flatMap(sloScenarios);
    for (const sli of list) {
      const s = burnSpec(sli.kind);
      specs.set(s.name, s);
    }
    const file: RuleFile = {
      path: `${PATHS.slo}/${model.name}.rules.yaml`,
      groups,
      comments: sloComments(list),
    };
    files.push(file);
    suites.push({ rules: file, scenarios, name: `slo-${model.name}`, evaluationInterval: SLO_TEST_INTERVAL });
  }
  return { files, suites, specs, links };
}

function sloComments(list: readonly Sli[]): string[] {
  const out = [
    `SLOs of model ${list[0]?.model.name}: ${list.map((s) => `${s.kind} ${s.target.objective}% over ${s.target.period}`).join(", ")}.`,
    "Burn-rate tiers: 14.4x over 1h and 5m, 6x over 6h and 30m (page); 3x over 1d and 2h, 1x over 3d and 6h (ticket).",
  ];
  const latency = list.find((s) => s.kind === "latency");
  if (latency) {
    out.push(
      `The latency SLI counts requests in the le="${latency.model.slo.latency?.threshold}" bucket of infermon_inference_request_duration_seconds:`,
      "the agent adds every configured threshold to the histogram's buckets (src/config/latencyBuckets.ts).",
    );
  }
  return out;
}

/** The links pass over every alerting rule of every file. */
function withLinks(stage: RulesStage): RulesStage {
  const files = stage.files.map((f) => ({
    ...f,
    groups: f.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) =>
        isAlert(r) ? (addLinks([r], stage.specs, stage.links)[0] as AlertingRule) : r,
      ),
    })),
  }));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const suites = stage.suites.map((s) => ({ ...s, rules: byPath.get(s.rules.path) as RuleFile }));
  return { ...stage, files, suites };
}

export interface GenerateOptions {
  /** the config file as the user named it, for headers */
  source: string;
}

type Files = Iterable<readonly [string, string]>;

const ruleFiles = (stage: RulesStage, header: string): Files =>
  stage.files.map((f) => {
    const comments = (f.comments ?? []).map((c) => `# ${c}\n`).join("");
    return [f.path, `# ${header}\n${comments}${renderRuleGroups(f.groups)}`] as const;
  });

const ruleTests = (stage: RulesStage, header: string): Files =>
  stage.suites
    .filter((s) => s.scenarios.length > 0)
    .map((s) => {
      const t = renderTestSuite(s);
      return [t.path, `# ${header}\n${t.content}`] as const;
    });

function runbooks(stage: RulesStage, header: string): Files {
  const alerts = stage.files.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter(isAlert);
  return [...stage.specs.values()].map((spec) => {
    const rules = alerts.filter((r) => r.alert === spec.name);
    return [runbookPath(spec.name), renderRunbook(spec, rules, stage.links, header)] as const;
  });
}

function alertmanager(config: Config, header: string): Files {
  // not under alerts/tests/, which holds promtool suites only (`promtool test rules alerts/tests/*.yaml`)
  const cases = { config: "alertmanager.yaml", cases: routeCases(config) };
  const comment = [
    `# ${header}`,
    `# Alertmanager route cases. Run: npx infermon routes-test ${PATHS.routeCases}`,
    `# (each case is: amtool config routes test --config.file=${PATHS.alerts}/alertmanager.yaml --verify.receivers=<receiver> <labels>)`,
  ].join("\n");
  return [
    [`${PATHS.alerts}/alertmanager.yaml`, renderAlertmanager(config, header)],
    [PATHS.routeCases, `${comment}\n${toYaml(cases)}`],
  ];
}

/** Everything `infermon generate` writes, path (relative, posix) → content, sorted by path. */
export function generate(config: Config, opts: GenerateOptions): Map<string, string> {
  const links = validateForGenerate(config);
  const stage = withLinks(buildRules(config, links));
  if (!stage.files.some((f) => f.groups.some((g) => g.rules.some(isAlert)))) {
    throw new NothingGeneratedError(`${opts.source}: the configuration generates no alerting rules`);
  }
  const header = generatedHeader(opts.source);
  const dashboardLinks = { ...links, alerts: new Set(stage.specs.keys()) };
  const dashboards = renderDashboards(dashboardLinks, header);
  const all: (readonly [string, string])[] = [
    ...ruleFiles(stage, header),
    ...ruleTests(stage, header),
    ...runbooks(stage, header),
    ...alertmanager(config, header),
    ...dashboards,
    ...renderKubernetes(config, stage.files, dashboards, header),
    ...renderHelmFiles(config, stage.files, dashboards, header),
    ...renderRollouts(config, header),
  ];
  return new Map(all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
