// Expansion of the small subset of Prometheus alert templates the generated rules use, so the
// generated promtool tests can state the exact annotations an alert fires with.

/** Go's `%.4g` (as used by Prometheus' humanizePercentage) for the range we print. */
function goG4(x: number): string {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 4) {
    const [m, e] = x.toExponential(3).split("e") as [string, string];
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = x.toPrecision(4);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

const FORMATS: Record<string, (v: number) => string> = {
  humanizePercentage: (v) => `${goG4(v * 100)}%`,
  'printf "%.3f"': (v) => v.toFixed(3),
  'printf "%.0f"': (v) => v.toFixed(0),
};

/** Expand `{{ $labels.x }}` and `{{ $value | f }}` for f in FORMATS; anything else is a bug. */
export function expandTemplate(text: string, labels: Record<string, string>, value: number): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_, inner: string) => {
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(inner);
    if (label) return labels[label[1] as string] ?? "";
    const piped = /^\$value \| (.+)$/.exec(inner);
    const format = piped ? FORMATS[piped[1] as string] : undefined;
    if (!format) throw new Error(`unsupported template in generated annotation: {{ ${inner} }}`);
    return format(value);
  });
}
