// What the demo saw, kept while it runs and printed at the end: the worst level every feature and
// the prediction reached, accuracy before the drift and at the end, every alert that fired (by the
// rules' levels here, and in Prometheus with --stack), and every notification Alertmanager sent.
import type { JudgedAlert } from "./ruleLevels.js";
import type { Snapshot } from "./snapshot.js";
import type { Notification } from "./stack/webhookReceiver.js";
import { type Level, worse, worstFiring } from "./view.js";

export class DemoRecord {
  readonly featureLevel = new Map<string, { level: Level; psi?: number }>();
  predictionLevel: Level = "ok";
  accuracyBefore: number | undefined;
  accuracyEnd: number | undefined;
  last: Snapshot | undefined;
  readonly fired = new Map<string, JudgedAlert>();
  readonly notifications: Notification[] = [];
  /** alerts that fired in Prometheus: `name{feature}` → severity */
  prometheusFired: { name: string; severity: string; feature?: string }[] = [];

  observe(s: Snapshot, levels: Map<string, Level>, prediction: Level, alerts: readonly JudgedAlert[]): void {
    this.last = s;
    for (const [f, l] of levels) {
      const seen = this.featureLevel.get(f);
      const psi = s.drift.get(f)?.psi;
      if (!seen || worse(seen.level, l) !== seen.level || (l === seen.level && (psi ?? 0) > (seen.psi ?? 0)))
        this.featureLevel.set(f, { level: worse(seen?.level ?? "ok", l), ...(psi !== undefined && { psi }) });
    }
    this.predictionLevel = worse(this.predictionLevel, prediction);
    if (!s.drifted && s.accuracy !== undefined) this.accuracyBefore = s.accuracy;
    if (s.accuracy !== undefined) this.accuracyEnd = s.accuracy;
    for (const a of alerts)
      if (a.state === "firing") this.fired.set(`${a.alert}|${a.levelName}|${a.labels.feature ?? ""}`, a);
  }

  lines(o: { requests: number; failed: number; labelsPosted: number; metricsUrl: string }): string[] {
    const flagged = [...this.featureLevel].filter(([, v]) => v.level !== "ok");
    const fired = worstFiring(this.fired.values());
    const out = [
      "",
      "summary",
      `  traffic: ${o.requests} requests through the tap (${o.failed} failed), ${o.labelsPosted} labels posted late to the ingest`,
      `  features at warning or worse: ${
        flagged.length > 0
          ? flagged
              .map(([f, v]) => `${f} (${v.level}${v.psi !== undefined ? `, PSI ${v.psi.toFixed(3)}` : ""})`)
              .join(", ")
          : "none"
      }`,
      `  prediction drift: ${this.predictionLevel}`,
      `  accuracy: ${this.accuracyBefore?.toFixed(3) ?? "–"} before the drift, ${this.accuracyEnd?.toFixed(3) ?? "–"} at the end`,
      `  alerts that fired (generated rules' levels): ${
        fired.length > 0
          ? fired
              .map(
                (a) => `${a.alert}${a.labels.feature ? `{feature=${a.labels.feature}}` : ""} ${a.levelName}`,
              )
              .join(", ")
          : "none"
      }`,
    ];
    if (this.prometheusFired.length > 0)
      out.push(
        `  alerts that fired in Prometheus: ${worstOf(this.prometheusFired)
          .map((a) => `${a.name}${a.feature ? `{feature=${a.feature}}` : ""} ${a.severity}`)
          .join(", ")}`,
      );
    if (this.notifications.length > 0)
      out.push(
        `  notifications from Alertmanager: ${this.notifications.length} (${[...new Set(this.notifications.map((n) => n.receiver))].join(", ")})`,
      );
    out.push(`  metrics were served at ${o.metricsUrl}`);
    return out;
  }
}

function worstOf<T extends { name: string; severity: string; feature?: string }>(list: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const a of list) {
    const k = `${a.name}|${a.feature ?? ""}`;
    const seen = byKey.get(k);
    if (!seen || (seen.severity !== "critical" && a.severity === "critical")) byKey.set(k, a);
  }
  return [...byKey.values()].sort((a, b) => (`${a.name}${a.feature}` < `${b.name}${b.feature}` ? -1 : 1));
}

/** One notification as the demo prints it when it arrives. */
export function notificationLines(n: Notification): string[] {
  const group = Object.entries(n.groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const head = `notification → ${n.receiver}: ${n.status} ${group} (${n.alerts.length} alert${n.alerts.length === 1 ? "" : "s"})`;
  const alerts = n.alerts.slice(0, 5).map((a) => {
    const l = a.labels;
    const what = [l.severity, l.feature && `feature=${l.feature}`].filter(Boolean).join(" ");
    return `    ${a.status} ${what}: ${a.annotations.description ?? a.annotations.summary ?? ""}`;
  });
  const runbooks = [...new Set(n.alerts.map((a) => a.annotations.runbook_url).filter(Boolean))];
  return [
    head,
    ...alerts,
    ...(n.alerts.length > 5 ? [`    … and ${n.alerts.length - 5} more`] : []),
    ...runbooks.map((u) => `    runbook: ${u}`),
  ];
}
