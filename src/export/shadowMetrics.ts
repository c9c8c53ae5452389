// The shadow comparison's metrics (docs/metrics.md, "Shadow"), on the agent's registry. Registered
// whatever the configuration (the generated dashboards read them); series exist only for models
// with `shadow`. Labels are bounded: `model` (configured), `side` (primary, shadow), `code`
// (codeLabel), `result` / `reason` (fixed sets below), `class` (configured or capped), `window`.
import type { Registry } from "prom-client";
import { DIFFERENCE_BUCKETS } from "../shadow/compare.js";
import { BoundHistogram, BoundCounter as Counter, BoundGauge as Gauge } from "./boundMetrics.js";

/** `infermon_shadow_dropped_total{reason}`: replays never sent (each exists at 0 from the start). */
export const SHADOW_DROP_REASONS = [
  "queue_full",
  "overload",
  "unreachable",
  "body_too_large",
  "shutdown",
] as const;
export type ShadowDropReason = (typeof SHADOW_DROP_REASONS)[number];

/** `infermon_shadow_skipped_total{reason}`: replayed requests whose predictions were not compared. */
export const SHADOW_SKIP_REASONS = [
  "primary_failed",
  "shadow_failed",
  "unreadable",
  "row_mismatch",
  "response_too_large",
] as const;
export type ShadowSkipReason = (typeof SHADOW_SKIP_REASONS)[number];

/** `infermon_shadow_comparisons_total{result}`, per compared row. */
export const SHADOW_RESULTS = ["agree", "disagree", "no_prediction"] as const;
export type ShadowResult = (typeof SHADOW_RESULTS)[number];

const M = ["model"] as const;

export class ShadowMetrics {
  readonly requests: Counter<"model" | "side" | "code">;
  readonly duration: BoundHistogram<"model" | "side">;
  readonly dropped: Counter<"model" | "reason">;
  readonly skipped: Counter<"model" | "reason">;
  readonly comparisons: Counter<"model" | "result">;
  readonly difference: BoundHistogram<"model">;
  readonly predictions: Counter<"model" | "class">;
  readonly score: BoundHistogram<"model">;
  readonly value: BoundHistogram<"model">;
  readonly windowSamples: Gauge<"model" | "window">;
  readonly psi: Gauge<"model" | "window">;
  readonly kl: Gauge<"model" | "window">;
  readonly js: Gauge<"model" | "window">;
  readonly inFlight: Gauge<"model">;
  readonly queueDepth: Gauge<"model">;

  constructor(
    registry: Registry,
    latencyBuckets: readonly number[],
    scoreBuckets: readonly number[],
    valueBuckets: readonly number[],
  ) {
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const MW = ["model", "window"] as const;
    this.requests = new Counter(
      "infermon_shadow_requests_total",
      "Replayed requests by side (primary: the client's answer; shadow: the replay's) and status code; 502/504 when the shadow was unreachable or late.",
      ["model", "side", "code"],
      registry,
    );
    this.duration = new BoundHistogram(
      "infermon_shadow_request_duration_seconds",
      "Latency of replayed requests, primary and shadow side by side.",
      ["model", "side"],
      latencyBuckets,
      registry,
    );
    this.dropped = new Counter(
      "infermon_shadow_dropped_total",
      "Sampled requests never replayed: queue_full, overload, unreachable (backing off a shadow that refused connections), body_too_large, shutdown.",
      ["model", "reason"],
      registry,
    );
    this.skipped = new Counter(
      "infermon_shadow_skipped_total",
      "Replayed requests whose predictions were not compared, by reason.",
      ["model", "reason"],
      registry,
    );
    this.comparisons = new Counter(
      "infermon_shadow_comparisons_total",
      "Prediction rows compared between primary and shadow: agree, disagree, no_prediction.",
      ["model", "result"],
      registry,
    );
    this.difference = new BoundHistogram(
      "infermon_shadow_prediction_difference",
      "Per row: |shadow score - primary score| (classification), or |shadow - primary| / max(|shadow|, |primary|) (regression).",
      M,
      DIFFERENCE_BUCKETS,
      registry,
    );
    this.predictions = new Counter(
      "infermon_shadow_predictions_total",
      "The shadow's predicted class.",
      ["model", "class"],
      registry,
    );
    this.score = new BoundHistogram(
      "infermon_shadow_prediction_score",
      "The shadow's predicted score (classification).",
      M,
      scoreBuckets,
      registry,
    );
    this.value = new BoundHistogram(
      "infermon_shadow_prediction_value",
      "The shadow's predicted value (regression).",
      M,
      valueBuckets,
      registry,
    );
    this.windowSamples = gauge(
      "infermon_shadow_window_samples",
      "The shadow's predictions in the window.",
      MW,
    );
    this.psi = gauge(
      "infermon_shadow_prediction_psi",
      "PSI of the shadow's predictions against the reference.",
      MW,
    );
    this.kl = gauge(
      "infermon_shadow_prediction_kl_divergence",
      "KL(shadow || reference) of the shadow's predictions.",
      MW,
    );
    this.js = gauge(
      "infermon_shadow_prediction_js_distance",
      "Jensen-Shannon distance of the shadow's predictions from the reference.",
      MW,
    );
    this.inFlight = gauge("infermon_shadow_in_flight", "Shadow requests in flight.", M);
    this.queueDepth = gauge("infermon_shadow_queue_depth", "Replays waiting for a free shadow slot.", M);
  }

  /** Window gauges are recomputed on every scrape. */
  resetWindowGauges(): void {
    for (const g of [this.windowSamples, this.psi, this.kl, this.js]) g.reset();
  }
}
