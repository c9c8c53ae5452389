// The stores the join benchmark compares: infermon's (the model's QualityMonitor: join store, label
// counters, delay histogram, quality windows) and a naive baseline with the same join semantics, a
// Map of one object per entry (the obvious implementation).
import { Registry } from "prom-client";
import { QualityMetrics } from "../../dist/export/qualityMetrics.js";
import { JoinStore } from "../../dist/labels/joinStore.js";
import { QualityMonitor } from "../../dist/labels/qualityMonitor.js";

export function model(maxPending) {
  return {
    name: "credit",
    version: "3",
    task: "binary_classification",
    protocol: "open-inference-v2",
    route: "/v2/models/credit",
    features: [],
    prediction: { output: "probability", threshold: 0.5, classes: ["0", "1"], bins: 10 },
    windows: [
      { name: "5m", ms: 300_000 },
      { name: "1h", ms: 3_600_000 },
    ],
    minSamples: 200,
    drift: { smoothing: { method: "laplace", alpha: 0.5 }, thresholds: {} },
    labels: {
      ttlMs: 86_400_000,
      maxPending,
      maxPendingPerSource: maxPending,
      onConflict: "reject_conflicts",
      expectedDelayMs: 86_400_000,
      configured: true,
    },
    quality: {},
    slo: {},
  };
}

/** infermon: what the agent runs per model (join store, label counters, delay histogram, 2 windows). */
export function infermon(maxPending) {
  const q = new QualityMonitor(model(maxPending), new QualityMetrics(new Registry()));
  return {
    prediction: (id, cls, t) => q.prediction(id, "3", cls, undefined, t, t),
    label: (id, cls, t) => q.label(id, cls, t, t),
  };
}

/** infermon's join store alone, counting joins like the baseline (the data structures compared). */
export function store(maxPending) {
  const counts = { matched: 0, correct: 0, expired: 0, unmatched: 0 };
  const s = new JoinStore(86_400_000, maxPending, {
    joined(p, l) {
      counts.matched++;
      if (p === l) counts.correct++;
    },
    expired(n) {
      counts.expired += n;
    },
    unmatched(n) {
      counts.unmatched += n;
    },
  });
  return {
    counts,
    prediction: (id, cls, t) => s.addPrediction(id, cls === "1" ? 1 : 0, 0, t, t),
    label: (id, cls, t) => s.addLabel(id, cls === "1" ? 1 : 0, t, t),
  };
}

/** Baseline: Map<id, object>, oldest first by the Map's insertion order; same outcomes, counts only. */
export function naive(maxPending, ttlMs = 86_400_000) {
  const entries = new Map();
  const counts = { matched: 0, correct: 0, duplicate: 0, expired: 0 };
  const evict = (now) => {
    for (const [id, e] of entries) {
      if (entries.size < maxPending && now - e.arrived < ttlMs) break;
      entries.delete(id);
      if (e.state === "prediction") counts.expired++;
    }
  };
  return {
    counts,
    prediction(id, cls, t) {
      const e = entries.get(id);
      if (e) {
        if (e.state !== "label") return "duplicate";
        e.state = "joined";
        counts.matched++;
        if (e.value === cls) counts.correct++;
        return "joined";
      }
      evict(t);
      id | 0; // flat id string, as infermon's store keeps it (fair memory comparison)
      entries.set(id, { state: "prediction", value: cls, version: "3", time: t, arrived: t });
      return "pending";
    },
    label(id, cls, t) {
      const e = entries.get(id);
      if (e) {
        if (e.state !== "prediction") {
          counts.duplicate++;
          return "duplicate";
        }
        e.state = "joined";
        counts.matched++;
        if (e.value === cls) counts.correct++;
        return "matched";
      }
      evict(t);
      id | 0;
      entries.set(id, { state: "label", value: cls, version: "3", time: t, arrived: t });
      return "waiting";
    },
  };
}

export const STORES = { infermon, store, naive };
