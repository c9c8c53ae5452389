// `infermon drift --format table`: for people. Aligned columns, features sorted by PSI (highest
// first, features without values last), drifted and missing features marked, and for each the
// levels in force (the model's statistic, warning / critical, where they come from) and what set
// its status.
import type { LevelsInForce } from "../stats/drift.js";
import { type DriftReport, gateLevel, type Reason, type SetBy, type Status } from "../stats/driftReport.js";

const SOURCE: Record<LevelsInForce["source"], string> = {
  fixed: "fixed",
  learned: "learned",
  sample_size: "n",
};

/** `js 0.0412 / 0.0523 (n=1000)`: the statistic, its warning and critical levels and their source. */
function levelsCell(l: LevelsInForce | undefined): string {
  if (!l) return "-";
  const src = l.source === "sample_size" ? `n=${l.n}` : SOURCE[l.source];
  return `${l.statistic} ${l.warning.toPrecision(3)} / ${l.critical.toPrecision(3)} (${src})`;
}

/** `js 0.061 ≥ 0.0412`: what set the status, its value and the threshold reached (or not). */
function setByCell(b: SetBy | undefined): string {
  if (!b) return "-";
  const what = "statistic" in b ? b.statistic : b.share;
  return `${what} ${b.value.toPrecision(3)} ${b.level === "ok" ? "<" : "≥"} ${b.threshold.toPrecision(3)}`;
}

const MARK: Record<Status, string> = {
  ok: "ok",
  warning: "! warning",
  critical: "!! CRITICAL",
  insufficient_data: "insufficient_data",
  missing: "missing",
};

function mark(s: { status: Status; reason?: Reason; absent?: true }): string {
  const m = MARK[s.status];
  // a missing current feature fails the gate like a critical one: say so
  if (s.status === "missing")
    return `${gateLevel(s) === "critical" ? "!! MISSING" : m} (${s.absent ? "absent" : s.reason})`;
  return s.reason ? `${m} (${s.reason})` : m;
}

const num = (x: number | null): string => (x === null ? "-" : x.toFixed(4));

export function formatTable(r: DriftReport): string {
  const head = ["feature", "type", "psi", "kl", "js", "missing", "invalid", "levels", "status", "set by"];
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
      levelsCell(f.levels),
      mark(f),
      setByCell(f.set_by),
    ]);
  if (r.prediction) {
    const p = r.prediction;
    rows.push([
      "(prediction)",
      "",
      num(p.psi),
      num(p.kl),
      num(p.js),
      "",
      "",
      levelsCell(p.levels),
      mark(p),
      setByCell(p.set_by),
    ]);
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
    ...quality(r),
    "",
    `status: ${r.status}${summary(r)}`,
  ];
  return `${out.join("\n")}\n`;
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "-" : x.toFixed(4));
const pm = (x: number | null | undefined): string =>
  x === null || x === undefined ? "" : ` ± ${(2 * x).toFixed(4)}`;

/** The quality lines: realized (rows with a target) and estimated (CBPE), value ± 2 standard errors. */
function quality(r: DriftReport): string[] {
  const q = r.quality;
  if (!q) return [];
  const out = [
    "",
    `quality (${q.rows.labelled} of ${q.rows.predictions} predictions with a target${q.target ? ` "${q.target}"` : ""}${q.rows.invalid_target > 0 ? `, ${q.rows.invalid_target} invalid targets` : ""}; ± 2 standard errors):`,
  ];
  const re = q.realized;
  if (re && "mae" in re)
    out.push(
      `  realized   MAE ${pct(re.mae)}${pm(re.stderr.mae)}  RMSE ${pct(re.rmse)}${pm(re.stderr.rmse)}`,
    );
  else if (re) out.push(`  realized   ${classification(re)}`);
  if (q.estimated) out.push(`  estimated  ${classification(q.estimated)}`);
  out.push(`  status: ${q.status}${q.reason ? ` (${q.reason})` : ""}`);
  return out;
}

function classification(c: NonNullable<NonNullable<DriftReport["quality"]>["estimated"]>): string {
  const s = c.stderr;
  return [
    `accuracy ${pct(c.accuracy)}${pm(s.accuracy)}`,
    `precision ${pct(c.precision)}${pm(s.precision)}`,
    `recall ${pct(c.recall)}${pm(s.recall)}`,
    `F1 ${pct(c.f1)}${pm(s.f1)}`,
    `ROC AUC ${pct(c.roc_auc)}${pm(s.roc_auc)}`,
  ].join("  ");
}

function summary(r: DriftReport): string {
  if (r.status === "ok") return "";
  const missing = r.features.filter((f) => gateLevel(f) === "critical" && f.status === "missing");
  const drifted = r.features.filter((f) => f.status === "warning" || f.status === "critical");
  const parts: string[] = [];
  if (drifted.length > 0) parts.push(`${drifted.length} features drifted or degraded`);
  if (missing.length > 0) parts.push(`missing: ${missing.map((f) => f.name).join(", ")}`);
  if (r.status === "insufficient_data") parts.push(`${r.rows.current} rows, below min_samples`);
  const q = r.quality;
  if (q && (q.status === "warning" || q.status === "critical"))
    parts.push(`quality ${q.status} (${q.reason})`);
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}
