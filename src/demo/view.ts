// The demo's view, as text: a panel redrawn in place on a terminal, one line per interval
// otherwise, and the closing summary. Levels (ok / warning / critical) and which alerts are pending
// or firing come from the RuleLevelJudge, i.e. from the generated rules; nothing here knows a level.
import { styleText } from "node:util";
import type { Sample } from "./metricsText.js";
import type { JudgedAlert, RuleLevelJudge } from "./ruleLevels.js";
import { type Snapshot, STAT_GAUGE, type Stat } from "./snapshot.js";

export type Level = "ok" | "warning" | "critical";
const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };
export const worse = (a: Level, b: Level): Level => (RANK[a] >= RANK[b] ? a : b);

export interface ViewState {
  now: Snapshot;
  /** the previous snapshot, for rates */
  before?: Snapshot;
  alerts: readonly JudgedAlert[];
  /** the scrape the snapshot came from (levels the agent exports are read from it) */
  samples?: readonly Sample[];
  /** with --stack: the alerts Prometheus holds (name, severity, state, feature) */
  prometheus?: readonly { name: string; severity: string; state: string; feature?: string }[];
  model: string;
  driftAtMs: number;
}

export interface Paint {
  level(text: string, level: Level): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const PLAIN: Paint = { level: (t) => t, dim: (t) => t, bold: (t) => t };
export const COLOURS: Paint = {
  level: (t, l) =>
    l === "critical" ? styleText("red", t) : l === "warning" ? styleText("yellow", t) : styleText("green", t),
  dim: (t) => styleText("dim", t),
  bold: (t) => styleText("bold", t),
};

/** The level of a value by the rules' levels for that gauge and labels. */
export function levelOf(
  judge: RuleLevelJudge,
  metric: string,
  labels: Record<string, string>,
  v: number,
  samples: readonly Sample[] = [],
): Level {
  const l = judge.levelsFor(metric, labels, samples);
  const past = (x: number | undefined) =>
    x !== undefined && (l.op === "<" ? v < x : l.op === "<=" ? v <= x : l.op === ">=" ? v >= x : v > x);
  return past(l.critical) ? "critical" : past(l.warning) ? "warning" : "ok";
}

const fmt = (v: number | undefined, digits = 3) => (v === undefined ? "–" : v.toFixed(digits));
const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

function rates(s: ViewState): { reqPerSec: number; eventsPerSec: number } {
  // Without an earlier snapshot the rate is the average since the demo started (t = 0, no traffic).
  const b = s.before ?? { t: 0, requests: 0, events: 0 };
  const dt = (s.now.t - b.t) / 1000;
  if (dt <= 0) return { reqPerSec: 0, eventsPerSec: 0 };
  return { reqPerSec: (s.now.requests - b.requests) / dt, eventsPerSec: (s.now.events - b.events) / dt };
}

/** Worst level of each feature over its statistics (and of the prediction) in this snapshot. */
export function featureLevels(judge: RuleLevelJudge, s: ViewState): Map<string, Level> {
  const out = new Map<string, Level>();
  const base = { model: s.model, window: s.now.window };
  for (const [feature, values] of s.now.drift) {
    let level: Level = "ok";
    for (const [stat, v] of Object.entries(values) as [Stat, number][])
      level = worse(level, levelOf(judge, STAT_GAUGE[stat], { ...base, feature }, v, s.samples));
    out.set(feature, level);
  }
  return out;
}

function alertText(a: JudgedAlert): string {
  const what = a.labels.feature ? ` feature=${a.labels.feature}` : "";
  return `${a.alert}${what} ${a.levelName} (${fmt(a.value)} ${a.value < a.level ? "<" : ">"} ${a.level}; severity ${a.severity})`;
}

/** The terminal panel (without colours when `paint` is PLAIN). */
export function panel(judge: RuleLevelJudge, s: ViewState, paint: Paint): string[] {
  const { reqPerSec, eventsPerSec } = rates(s);
  const n = s.now;
  const phase = n.drifted
    ? paint.level(`drift injected at ${seconds(s.driftAtMs)}: income ×1.5, new region "islands"`, "warning")
    : `reference traffic (drift at ${seconds(s.driftAtMs)})`;
  const out = [
    `${paint.bold("infermon demo")}  ${seconds(n.t)}  ${phase}`,
    `traffic   ${reqPerSec.toFixed(1)} req/s through the tap, ${n.failedRequests} answered 5xx, ${n.dropped} events dropped, ${Math.round(eventsPerSec)} events/s analysed`,
    paint.dim(`drift over the ${n.window} window        PSI      KL      JS   level`),
  ];
  const levels = featureLevels(judge, s);
  const base = { model: s.model, window: n.window };
  for (const [feature, v] of n.drift) {
    const cell = (stat: Stat) => {
      const x = v[stat];
      const text = fmt(x).padStart(8);
      return x === undefined
        ? text
        : paint.level(text, levelOf(judge, STAT_GAUGE[stat], { ...base, feature }, x, s.samples));
    };
    const level = levels.get(feature) ?? "ok";
    out.push(
      `  ${feature.padEnd(26)}${cell("psi")}${cell("kl")}${cell("js")}   ${paint.level(level, level)}`,
    );
  }
  const pLevel: Level =
    n.predictionPsi === undefined
      ? "ok"
      : levelOf(judge, "infermon_prediction_psi", base, n.predictionPsi, s.samples);
  out.push(
    `  ${"prediction (score)".padEnd(26)}${paint.level(fmt(n.predictionPsi).padStart(8), pLevel)}                   ${paint.level(pLevel, pLevel)}`,
  );
  const aLevel: Level =
    n.accuracy === undefined ? "ok" : levelOf(judge, "infermon_model_accuracy", base, n.accuracy, s.samples);
  out.push(
    `quality   accuracy ${paint.level(fmt(n.accuracy), aLevel)}  F1 ${fmt(n.f1)}  (labels: ${n.labelsMatched} joined, ${n.labelsPending} predictions waiting)`,
  );
  const firing = worstFiring(s.alerts);
  const pending = worstFiring(s.alerts, "pending");
  out.push(
    paint.dim(`alerts by the generated rules' levels: ${firing.length} firing, ${pending.length} pending`),
  );
  for (const a of [...firing, ...pending].slice(0, 8))
    out.push(
      `  ${paint.level(a.state.padEnd(8), a.state === "firing" ? "critical" : "warning")}${alertText(a)}`,
    );
  if (s.prometheus) {
    const p = s.prometheus.filter((a) => a.state === "firing");
    out.push(
      paint.dim(
        `Prometheus (all generated rules): ${p.length} firing, ${s.prometheus.length - p.length} pending`,
      ) + (p.length > 0 ? ` ${[...new Set(p.map((a) => a.name))].join(", ")}` : ""),
    );
  }
  return out;
}

/** One plain line per interval (stdout is not a terminal). */
export function line(judge: RuleLevelJudge, s: ViewState): string {
  const { reqPerSec } = rates(s);
  const n = s.now;
  const levels = featureLevels(judge, s);
  const drift = [...n.drift]
    .map(([f, v]) => {
      const l = levels.get(f) ?? "ok";
      return `${f}=${fmt(v.psi)}${l === "ok" ? "" : `(${l})`}`;
    })
    .join(" ");
  const firing = worstFiring(s.alerts).map(
    (a) => `${a.alert}${a.labels.feature ? `{${a.labels.feature}}` : ""}=${a.levelName}`,
  );
  return [
    `${seconds(n.t).padStart(5)} ${n.drifted ? "drifted" : "normal "}`,
    `req/s=${reqPerSec.toFixed(1)} 5xx=${n.failedRequests} drops=${n.dropped}`,
    `psi(${n.window}) ${drift} prediction=${fmt(n.predictionPsi)}`,
    `accuracy=${fmt(n.accuracy)} f1=${fmt(n.f1)} labels=${n.labelsMatched}`,
    `firing=${firing.length > 0 ? firing.join(",") : "none"}`,
  ].join(" | ");
}

/** Alerts in `state`, one per alert name and feature: the worst level crossed (critical over warning). */
export function worstFiring(
  alerts: Iterable<JudgedAlert>,
  state: JudgedAlert["state"] = "firing",
): JudgedAlert[] {
  const byKey = new Map<string, JudgedAlert>();
  for (const a of alerts) {
    if (a.state !== state) continue;
    const k = `${a.alert}|${a.labels.feature ?? ""}`;
    const seen = byKey.get(k);
    if (!seen || (seen.levelName !== "critical" && a.levelName === "critical")) byKey.set(k, a);
  }
  return [...byKey.values()].sort((a, b) =>
    `${a.alert}${a.labels.feature ?? ""}` < `${b.alert}${b.labels.feature ?? ""}` ? -1 : 1,
  );
}
