// alerts/runbooks/<AlertName>.md: Meaning, Impact, Diagnosis (PromQL, LogQL, dashboard),
// Mitigation — and which models the alert covers, at which thresholds.
import { posix } from "node:path";
import type { AlertSpec } from "./alerts/types.js";
import { DASHBOARDS, PATHS } from "./conventions.js";
import { dashboardUrl, type LinkBase } from "./links.js";
import type { AlertingRule } from "./rules.js";
import { traceSection } from "./traceRunbook.js";

const fence = (lang: string, lines: readonly string[]): string =>
  [`\`\`\`${lang}`, ...lines, "```"].join("\n");

function rulesTable(rules: readonly AlertingRule[]): string {
  const rows = rules.map(
    (r) =>
      `| ${r.labels.model} | ${r.labels.severity} | ${r.for} | \`${r.expr.replace(/\s*\n\s*/g, " ").replaceAll("|", "\\|")}\` |`,
  );
  return ["| model | severity | for | expression |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function renderRunbook(
  spec: AlertSpec,
  rules: readonly AlertingRule[],
  base: LinkBase,
  header: string,
): string {
  const d = DASHBOARDS[spec.dashboard];
  const rb = spec.runbook;
  return [
    `<!-- ${header} -->`,
    `# ${spec.name}`,
    "",
    `> ${spec.summary}`,
    "",
    "## Meaning",
    "",
    rb.meaning,
    "",
    "## Impact",
    "",
    rb.impact,
    "",
    "## Diagnosis",
    "",
    `Open the [${d.title} dashboard](${dashboardUrl(base, spec.dashboard)}) and select the alert's \`model\`.`,
    "",
    ...rb.diagnosis.map((s, i) => `${i + 1}. ${s}`),
    "",
    "PromQL (replace `<model>` and `<feature>` with the alert's labels):",
    "",
    fence("promql", rb.promql),
    "",
    "LogQL (Loki):",
    "",
    fence("logql", rb.logql),
    "",
    ...(traceSection(spec.name) ?? []),
    "## Mitigation",
    "",
    ...rb.mitigation.map((s) => `- ${s}`),
    "",
    "## Rules",
    "",
    rulesTable(rules),
    "",
  ].join("\n");
}

export function runbookPath(alert: string): string {
  return posix.join(PATHS.runbooks, `${alert}.md`);
}
