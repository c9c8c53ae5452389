// alerts/runbooks/<AlertName>.md: Meaning, Impact, Diagnosis (PromQL, LogQL, dashboard),
// Mitigation — and which models the alert covers, at which thresholds.
import { posix } from "node:path";
import type { AlertSpec } from "./alerts/types.js";
import { DASHBOARDS, PATHS } from "./conventions.js";
import { dashboardUrl, type LinkBase } from "./links.js";
import { quote } from "./promql.js";
import type { AlertingRule } from "./rules.js";
import { traceSection } from "./traceRunbook.js";

const fence = (lang: string, lines: readonly string[]): string =>
  [`\`\`\`${lang}`, ...lines, "```"].join("\n");

function rulesTable(rules: readonly AlertingRule[]): string {
  const rows = rules.map(
    (r) =>
      `| ${r.labels.model ?? "— (any other)"} | ${r.labels.severity} | ${r.for} | \`${r.expr.replace(/\s*\n\s*/g, " ").replaceAll("|", "\\|")}\` |`,
  );
  return ["| model | severity | for | expression |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** A label the alert carries, templated in a query (`{{ $labels.x }}`), as a runbook placeholder `<x>`. */
const placeholders = (line: string): string => line.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, "<$1>");

/**
 * The diagnosis queries as they run: one block per model the alert covers, `<model>` spelled out
 * (a runbook is read at 3 a.m.; its queries are pasted, not edited). The alert's own labels
 * (`<feature>`, `<instance>`, …) are placeholders here; the alert's `promql` and `logql`
 * annotations carry the first queries with them filled in.
 */
function queries(lang: string, raw: readonly string[], models: readonly string[]): string[] {
  const lines = raw.map(placeholders);
  if (!lines.some((l) => l.includes("<model>")) || models.length === 0) return [fence(lang, lines)];
  return models.flatMap((m, i) => [
    ...(i > 0 ? [""] : []),
    `Model \`${m}\`:`,
    "",
    fence(
      lang,
      lines.map((l) => l.replaceAll('"<model>"', quote(m))),
    ),
  ]);
}

/** "PromQL:", naming the placeholders left once the models are filled in (e.g. an alert's `<instance>`). */
function queryHeading(
  title: string,
  annotation: string,
  lines: readonly string[],
  models: readonly string[],
): string {
  const left = new Set<string>();
  for (const l of lines.map(placeholders))
    for (const m of l.matchAll(/<([a-z_]+)>/g))
      if (m[1] !== undefined && !(m[1] === "model" && models.length > 0)) left.add(`\`<${m[1]}>\``);
  if (left.size === 0) return `${title}:`;
  return `${title} (replace ${[...left].join(", ")} with the alert's label${left.size > 1 ? "s" : ""}, or copy the first query from the alert's \`${annotation}\` annotation, where they are filled in):`;
}

export function renderRunbook(
  spec: AlertSpec,
  rules: readonly AlertingRule[],
  base: LinkBase,
  header: string,
): string {
  const d = DASHBOARDS[spec.dashboard];
  const rb = spec.runbook;
  const models = [...new Set(rules.map((r) => r.labels.model).filter((m): m is string => m !== undefined))];
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
    queryHeading("PromQL", "promql", rb.promql, models),
    "",
    ...queries("promql", rb.promql, models),
    "",
    queryHeading("LogQL (Loki)", "logql", rb.logql, models),
    "",
    ...queries("logql", rb.logql, models),
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
