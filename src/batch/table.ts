// `infermon drift --format table`: for people. Aligned columns, features sorted by PSI (highest
// first), drifted features marked.
import type { Level } from "../config/model.js";
import type { DriftReport } from "../stats/driftReport.js";

const MARK: Record<Level, string> = { ok: "", warning: "! warning", critical: "!! CRITICAL" };

const num = (x: number | null): string => (x === null ? "-" : x.toFixed(4));

export function formatTable(r: DriftReport): string {
  const head = ["feature", "type", "psi", "kl", "js", "missing", "invalid", "status"];
  const rows = [...r.features]
    .sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1) || a.name.localeCompare(b.name))
    .map((f) => [
      f.name,
      f.type,
      num(f.psi),
      num(f.kl),
      num(f.js),
      String(f.missing),
      String(f.invalid),
      MARK[f.status] || "ok",
    ]);
  if (r.prediction) {
    const p = r.prediction;
    rows.push(["(prediction)", "", num(p.psi), num(p.kl), num(p.js), "", "", MARK[p.status] || "ok"]);
  }
  const right = new Set([2, 3, 4, 5, 6]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [
    `model ${r.model}: ${r.rows.current} current rows vs ${r.rows.reference} reference rows` +
      (r.rows.skipped > 0 ? ` (${r.rows.skipped} malformed lines skipped)` : ""),
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `status: ${r.status}${r.status === "ok" ? "" : ` (${r.features.filter((f) => f.status !== "ok").length} features drifted)`}`,
  ];
  return `${out.join("\n")}\n`;
}
