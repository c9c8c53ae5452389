// `infermon compare --format table`: the comparison for people, one line per statistic.
import type { ComparisonReport, DriftOf } from "./comparison.js";

const n = (x: number | null | undefined, digits = 4): string =>
  x === null || x === undefined ? "-" : x.toFixed(digits);
const pct = (x: number | null): string => (x === null ? "-" : `${(100 * x).toFixed(2)} %`);
const mark = (s: string): string => (s === "critical" ? "!! CRITICAL" : s === "warning" ? "! warning" : s);
const drift = (d: DriftOf | null): string =>
  d === null ? "-" : `psi ${n(d.psi)}  kl ${n(d.kl)}  js ${n(d.js)}  ${mark(d.status)}`;

export function formatComparison(r: ComparisonReport): string {
  const lines: [string, string][] = [
    ["model", r.model],
    [
      "rows",
      `A ${r.rows.a}, B ${r.rows.b}, paired ${r.rows.paired} (unpaired: A ${r.rows.unpaired_a}, B ${r.rows.unpaired_b})`,
    ],
    [
      "agreement",
      `${pct(r.agreement.share)} of ${r.agreement.compared} rows (min ${pct(r.agreement.min_agreement)}; ${r.agreement.no_prediction} without a prediction)  ${mark(r.agreement.status)}`,
    ],
    [
      `difference (${r.difference.kind})`,
      r.difference.rows === 0
        ? "-"
        : `mean ${n(r.difference.mean)}, max ${n(r.difference.max)}; ≤0.01: ${r.difference.buckets.find((b) => b.le === 0.01)?.count}, ≤0.1: ${r.difference.buckets.find((b) => b.le === 0.1)?.count} of ${r.difference.rows}`,
    ],
    ["drift B vs A", drift(r.drift.b_vs_a)],
    ["drift A vs reference", drift(r.drift.a_vs_reference)],
    ["drift B vs reference", drift(r.drift.b_vs_reference)],
  ];
  if (r.quality) {
    const q = r.quality;
    const side = (s: { accuracy?: number; mae?: number } | null) =>
      s === null ? "-" : s.accuracy !== undefined ? `accuracy ${pct(s.accuracy)}` : `MAE ${n(s.mae)}`;
    lines.push(["labels", String(q.labels)], ["quality A", side(q.a)], ["quality B", side(q.b)]);
    lines.push([
      "B worse than A (loss)",
      q.test
        ? `difference ${n(q.test.difference)} in [${n(q.test.lower)}, ${n(q.test.upper)}], p ${n(q.test.p_value)}  ${q.test.worse ? "!! WORSE" : "not shown"}`
        : "- (too few labels)",
    ]);
  }
  lines.push(["status", mark(r.status)]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return `${lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n")}\n`;
}
