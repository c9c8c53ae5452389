// Which alerts the generated rules would fire on one agent's /metrics, without Prometheus: every
// rule that compares a gauge with a level — a number (`m{…} > 0.1`), or a level series
// (`m{…} >= on (…) levels{level="warning"}`), optionally aggregated per model (`count by`,
// `max by`) — is judged on the agent's own samples with the rule's own level and `for:`
// (pending, then firing), as Prometheus would. A level series is read from the rules too: a
// recording rule of constants per feature (`0 * x{feature="a"} + 0.1 or …`), or a gauge the agent
// exports. Fleet recording rules are judged on the per-pod gauge of the same statistic (for one pod
// they compute the same value). Levels are never copied here. Other shapes (burn rates, ratios)
// need Prometheus: `infermon demo --stack` runs them.
import { parseDuration } from "../config/duration.js";
import { ONE_POD_GAUGE } from "../generate/fleetDrift.js";
import { type AlertingRule, isAlert, type Rule } from "../generate/rules.js";
import type { Sample } from "./metricsText.js";

export type AlertState = "pending" | "firing";
export type LevelName = "warning" | "critical";

export interface JudgedAlert {
  alert: string;
  /** the rule's `severity` label (where Alertmanager routes it) */
  severity: string;
  /** which level of the rule's pair was crossed */
  levelName: LevelName;
  /** the sample's labels (or the aggregation's) and the rule's */
  labels: Record<string, string>;
  value: number;
  /** the level crossed (for an aggregated rule: the first sample's) */
  level: number;
  state: AlertState;
  /** when the condition started holding (ms) */
  activeSince: number;
}

interface Selector {
  metric: string;
  matchers: Record<string, string>;
}

type Op = ">" | "<" | ">=" | "<=";

/** A level series: per-feature constants from a recording rule, or a gauge of the agent. */
type Threshold =
  | { kind: "number"; value: number }
  | { kind: "constants"; parts: { matchers: Record<string, string>; value: number }[] }
  | { kind: "gauge"; sel: Selector; on?: string[]; ignoring?: string[] };

interface Judged {
  rule: AlertingRule;
  left: Selector;
  op: Op;
  threshold: Threshold;
  aggregate?: { fn: "count" | "max" | "min"; by: string[] };
  levelName: LevelName;
  forMs: number;
}

const SEL = String.raw`([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}`;
const NUM = String.raw`(-?[0-9.]+(?:e[-+]?\d+)?)`;

function selector(metric: string, body: string): Selector | undefined {
  const matchers: Record<string, string> = {};
  for (const part of body.split(",").filter((p) => p.trim() !== "")) {
    const kv = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"\s*$/.exec(part);
    if (!kv) return undefined; // a regex or negative matcher: not a plain level rule
    matchers[kv[1] as string] = kv[2] as string;
  }
  return { metric: ONE_POD_GAUGE[metric] ?? metric, matchers };
}

const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

/** `0 * x{…} + 0.1` (or several joined by `or`): constants per feature. */
function constants(expr: string): Threshold | undefined {
  const parts: { matchers: Record<string, string>; value: number }[] = [];
  for (const p of expr.split(/\s+or\s+/)) {
    const m = new RegExp(String.raw`^\s*0 \* ${SEL} \+ ${NUM}\s*$`).exec(p);
    const s = m && selector(m[1] as string, m[2] as string);
    if (!m || !s) return undefined;
    const { window: _w, ...matchers } = s.matchers; // the level of a feature holds for the rule's window
    parts.push({ matchers, value: Number(m[3]) });
  }
  return { kind: "constants", parts };
}

function parse(rule: AlertingRule, records: readonly Rule[]): Judged | undefined {
  const expr = rule.expr.replace(/\s+/g, " ").trim();
  const agg = /^(count|max|min) by \(([^)]*)\) \((.*)\)$/.exec(expr);
  const inner = agg ? (agg[3] as string).trim() : expr;
  const m = new RegExp(
    String.raw`^${SEL} (>=|<=|>|<) (?:(?:(on|ignoring) \(([^)]*)\) )?${SEL}|${NUM})$`,
  ).exec(inner);
  if (!m) return undefined;
  const left = selector(m[1] as string, m[2] as string);
  if (!left) return undefined;
  let threshold: Threshold | undefined;
  if (m[8] !== undefined) threshold = { kind: "number", value: Number(m[8]) };
  else {
    const right = selector(m[6] as string, m[7] as string);
    if (!right) return undefined;
    // a recorded level: the recording rules of that name whose labels the selector asks for
    const recorded = records.filter(
      (r) =>
        !isAlert(r) &&
        r.record === m[6] &&
        Object.entries(right.matchers).every(([k, v]) => !(k in (r.labels ?? {})) || r.labels?.[k] === v) &&
        Object.entries(r.labels ?? {}).every(
          ([k, v]) => right.matchers[k] === undefined || right.matchers[k] === v,
        ),
    );
    if (recorded.length > 0) {
      threshold = recorded.length === 1 ? constants(recorded[0]?.expr ?? "") : undefined;
      if (!threshold) return undefined; // levels computed by Prometheus (e.g. from the sample size)
    } else
      threshold = {
        kind: "gauge",
        sel: right,
        ...(m[4] === "on" && { on: list(m[5]) }),
        ...(m[4] === "ignoring" && { ignoring: list(m[5]) }),
      };
  }
  // the rule's `level` label where a severity policy sets one, else its severity (the same then)
  const levelName = (rule.labels.level ?? rule.labels.severity) as LevelName;
  if (levelName !== "warning" && levelName !== "critical") return undefined;
  return {
    rule,
    left,
    op: m[3] as Op,
    threshold,
    ...(agg && { aggregate: { fn: agg[1] as "count" | "max" | "min", by: list(agg[2]) } }),
    levelName,
    forMs: parseDuration(rule.for) ?? 0,
  };
}

const matches = (matchers: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(matchers).every(([k, v]) => labels[k] === v);

const key = (alert: string, labels: Record<string, string>): string =>
  `${alert}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

export class RuleLevelJudge {
  private readonly rules: Judged[];
  private active = new Map<string, JudgedAlert>();
  /** every alert that reached `firing`, by key (for the summary) */
  readonly fired = new Map<string, JudgedAlert>();

  /** `rules`: every rule the generator built (recording rules give the recorded levels). */
  constructor(rules: readonly Rule[]) {
    this.rules = rules.flatMap((r) => {
      if (!isAlert(r)) return [];
      const j = parse(r, rules);
      return j ? [j] : [];
    });
  }

  /** How many rules this judge can evaluate (the others need Prometheus). */
  get size(): number {
    return this.rules.length;
  }

  private levelOf(j: Judged, s: Sample, samples: readonly Sample[]): number | undefined {
    const t = j.threshold;
    if (t.kind === "number") return t.value;
    if (t.kind === "constants") return t.parts.find((p) => matches(p.matchers, s.labels))?.value;
    const other = samples.find((x) => {
      if (x.name !== t.sel.metric || !matches(t.sel.matchers, x.labels)) return false;
      const names = t.on ?? Object.keys(s.labels).filter((k) => !(t.ignoring ?? []).includes(k));
      return names.every((k) => x.labels[k] === s.labels[k]);
    });
    return other?.value;
  }

  private crosses(op: Op, v: number, level: number): boolean {
    return op === ">" ? v > level : op === ">=" ? v >= level : op === "<" ? v < level : v <= level;
  }

  /** The rules' levels for a gauge's sample (e.g. JS of one feature): warning and critical. */
  levelsFor(
    metric: string,
    labels: Record<string, string>,
    samples: readonly Sample[] = [],
  ): { warning?: number; critical?: number; op?: Op } {
    const out: { warning?: number; critical?: number; op?: Op } = {};
    const s: Sample = { name: metric, labels, value: 0 };
    for (const j of this.rules) {
      if (j.left.metric !== metric || !matches(j.left.matchers, labels)) continue;
      const level = this.levelOf(j, s, samples);
      if (level === undefined) continue;
      out[j.levelName] = level;
      out.op = j.op;
    }
    return out;
  }

  /** Judge the samples of one scrape at time `now`: the alerts pending or firing. */
  evaluate(samples: readonly Sample[], now: number): JudgedAlert[] {
    const next = new Map<string, JudgedAlert>();
    for (const j of this.rules) {
      const hits: { s: Sample; level: number }[] = [];
      for (const s of samples) {
        if (s.name !== j.left.metric || !matches(j.left.matchers, s.labels)) continue;
        const level = this.levelOf(j, s, samples);
        if (level !== undefined && this.crosses(j.op, s.value, level)) hits.push({ s, level });
      }
      const groups = new Map<string, { labels: Record<string, string>; hits: typeof hits }>();
      for (const h of hits) {
        const labels = j.aggregate
          ? Object.fromEntries(
              j.aggregate.by.filter((k) => k in h.s.labels).map((k) => [k, h.s.labels[k] as string]),
            )
          : h.s.labels;
        const g = groups.get(JSON.stringify(labels)) ?? { labels, hits: [] };
        g.hits.push(h);
        groups.set(JSON.stringify(labels), g);
      }
      for (const g of groups.values()) {
        const values = g.hits.map((h) => h.s.value);
        const value =
          j.aggregate?.fn === "count"
            ? values.length
            : j.aggregate?.fn === "min"
              ? Math.min(...values)
              : Math.max(...values);
        const labels = { ...g.labels, ...j.rule.labels, alertname: j.rule.alert };
        const k = key(j.rule.alert, labels);
        const since = this.active.get(k)?.activeSince ?? now;
        const a: JudgedAlert = {
          alert: j.rule.alert,
          severity: j.rule.labels.severity ?? "",
          levelName: j.levelName,
          labels,
          value,
          level: g.hits[0]?.level ?? Number.NaN,
          state: now - since >= j.forMs ? "firing" : "pending",
          activeSince: since,
        };
        next.set(k, a);
        if (a.state === "firing") this.fired.set(k, a);
      }
    }
    this.active = next;
    return [...next.values()];
  }
}
