// What the demo's view shows, read from one scrape of the agent's /metrics (what Prometheus sees).
import { M } from "../generate/promql.js";
import { metricValue, type Sample } from "./metricsText.js";

export type Stat = "psi" | "kl" | "js";
export const STAT_GAUGE: Record<Stat, string> = { psi: M.featurePsi, kl: M.featureKl, js: M.featureJs };

export interface Snapshot {
  /** ms since the demo started */
  t: number;
  drifted: boolean;
  /** the window the alerts read (the model's longest) */
  window: string;
  requests: number;
  /** answered 5xx */
  failedRequests: number;
  events: number;
  dropped: number;
  /** feature → statistic → value over `window` (absent below min_samples) */
  drift: Map<string, Partial<Record<Stat, number>>>;
  predictionPsi?: number;
  accuracy?: number;
  f1?: number;
  labelsMatched: number;
  labelsPending: number;
}

export function snapshot(
  samples: readonly Sample[],
  o: { t: number; drifted: boolean; model: string; window: string; features: readonly string[] },
): Snapshot {
  const m = { model: o.model };
  const w = { model: o.model, window: o.window };
  const requests = samples.filter((s) => s.name === M.requests && s.labels.model === o.model);
  const drift = new Map<string, Partial<Record<Stat, number>>>();
  for (const f of o.features) {
    const values: Partial<Record<Stat, number>> = {};
    for (const [stat, gauge] of Object.entries(STAT_GAUGE) as [Stat, string][]) {
      const v = metricValue(samples, gauge, { ...w, feature: f });
      if (v !== undefined) values[stat] = v;
    }
    drift.set(f, values);
  }
  const macroF1 = samples.find(
    (s) =>
      s.name === M.f1 && s.labels.model === o.model && s.labels.window === o.window && !("class" in s.labels),
  );
  const out: Snapshot = {
    t: o.t,
    drifted: o.drifted,
    window: o.window,
    requests: requests.reduce((a, s) => a + s.value, 0),
    failedRequests: requests.filter((s) => /^5/.test(s.labels.code ?? "")).reduce((a, s) => a + s.value, 0),
    events: metricValue(samples, M.events, m) ?? 0,
    dropped: metricValue(samples, M.dropped) ?? 0,
    drift,
    labelsMatched: metricValue(samples, M.labels, { ...m, outcome: "matched" }) ?? 0,
    labelsPending: metricValue(samples, M.joinPending, m) ?? 0,
  };
  const psi = metricValue(samples, M.predictionPsi, w);
  if (psi !== undefined) out.predictionPsi = psi;
  const accuracy = metricValue(samples, M.accuracy, w);
  if (accuracy !== undefined) out.accuracy = accuracy;
  if (macroF1) out.f1 = macroF1.value;
  return out;
}
