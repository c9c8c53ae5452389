// Which alerts the generated rules would fire on one agent's /metrics: every rule that compares a
// metric with a level (LevelCheck in rules.ts: drift per feature and statistic, prediction drift,
// accuracy, MAE) is judged on the agent's own samples with the rule's own level and `for:`, as
// Prometheus would judge them (pending, then firing once the condition held for `for`). Levels
// are never copied here: they come from the rules the generator builds from the same config.
// Rules of other shapes (ratios, burn rates) need Prometheus: `infermon demo --stack` runs it.
import { parseDuration } from "../config/duration.js";
import { ONE_POD_GAUGE } from "../generate/fleetDrift.js";
import type { AlertingRule, LevelCheck } from "../generate/rules.js";
import type { Sample } from "./metricsText.js";

export type AlertState = "pending" | "firing";

export interface JudgedAlert {
  alert: string;
  /** the rule's `severity` label (where Alertmanager routes it) */
  severity: string;
  /** which level of the rule's pair was crossed */
  levelName: "warning" | "critical";
  /** the sample's labels and the rule's */
  labels: Record<string, string>;
  value: number;
  level: number;
  state: AlertState;
  /** when the condition started holding (ms) */
  activeSince: number;
}

interface LevelRule {
  rule: AlertingRule;
  check: LevelCheck;
  metric: string;
  forMs: number;
}

const key = (alert: string, labels: Record<string, string>): string =>
  `${alert}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

export class RuleLevelJudge {
  private readonly rules: LevelRule[];
  private active = new Map<string, JudgedAlert>();
  /** every alert that reached `firing`, by key (for the summary) */
  readonly fired = new Map<string, JudgedAlert>();

  constructor(rules: readonly AlertingRule[]) {
    this.rules = rules.flatMap((rule) =>
      rule.check
        ? [
            {
              rule,
              check: rule.check,
              metric: ONE_POD_GAUGE[rule.check.metric] ?? rule.check.metric,
              forMs: parseDuration(rule.for) ?? 0,
            },
          ]
        : [],
    );
  }

  /** How many rules this judge can evaluate (the others need Prometheus). */
  get size(): number {
    return this.rules.length;
  }

  /** The rules' levels for a metric and labels (e.g. PSI of one feature): warning and critical. */
  levelsFor(
    metric: string,
    labels: Record<string, string>,
  ): { warning?: number; critical?: number; op?: ">" | "<" } {
    const out: { warning?: number; critical?: number; op?: ">" | "<" } = {};
    for (const r of this.rules) {
      if (r.metric !== metric || !matches(r.check.matchers, labels)) continue;
      out[r.check.level] = r.check.value;
      out.op = r.check.op;
    }
    return out;
  }

  /** Judge the samples of one scrape at time `now`: the alerts pending or firing. */
  evaluate(samples: readonly Sample[], now: number): JudgedAlert[] {
    const next = new Map<string, JudgedAlert>();
    for (const r of this.rules) {
      for (const s of samples) {
        if (s.name !== r.metric || !matches(r.check.matchers, s.labels)) continue;
        const hit = r.check.op === ">" ? s.value > r.check.value : s.value < r.check.value;
        if (!hit) continue;
        const labels = { ...s.labels, ...r.rule.labels, alertname: r.rule.alert };
        const k = key(r.rule.alert, labels);
        const since = this.active.get(k)?.activeSince ?? now;
        const a: JudgedAlert = {
          alert: r.rule.alert,
          severity: r.rule.labels.severity ?? "",
          levelName: r.check.level,
          labels,
          value: s.value,
          level: r.check.value,
          state: now - since >= r.forMs ? "firing" : "pending",
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

function matches(matchers: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(matchers).every(([k, v]) => labels[k] === v);
}
