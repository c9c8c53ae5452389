// A/B variants' metrics (docs/metrics.md, "Variants"), on the agent's registry. Registered whatever
// the configuration (the generated dashboards read them); series exist only for models with
// `variants`. `variant` is one of the model's configured names, or `other` (ADR 0011).
import type { Registry } from "prom-client";
import { BoundHistogram, BoundCounter as Counter, BoundGauge as Gauge } from "./boundMetrics.js";

const MV = ["model", "variant"] as const;
const MVW = [...MV, "window"] as const;

export class VariantMetrics {
  readonly requests: Counter<"model" | "variant" | "code">;
  readonly events: Counter<"model" | "variant">;
  readonly predictions: Counter<"model" | "variant" | "class">;
  readonly score: BoundHistogram<"model" | "variant">;
  readonly value: BoundHistogram<"model" | "variant">;
  readonly windowSamples: Gauge<"model" | "variant" | "window">;
  readonly featurePsi: Gauge<"model" | "variant" | "feature" | "window">;
  readonly predictionPsi: Gauge<"model" | "variant" | "window">;
  readonly predictionJs: Gauge<"model" | "variant" | "window">;
  readonly labeled: Counter<"model" | "variant">;
  readonly loss: Counter<"model" | "variant">;
  readonly lossSquares: Counter<"model" | "variant">;
  readonly accuracy: Gauge<"model" | "variant" | "window">;
  readonly mae: Gauge<"model" | "variant" | "window">;
  readonly windowLabeled: Gauge<"model" | "variant" | "window">;

  constructor(registry: Registry, scoreBuckets: readonly number[], valueBuckets: readonly number[]) {
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    this.requests = new Counter(
      "infermon_variant_requests_total",
      "Requests the tap saw per A/B variant, by status code (the sequential test's error rate).",
      [...MV, "code"],
      registry,
    );
    this.events = new Counter(
      "infermon_variant_events_total",
      "Inference events analysed per A/B variant.",
      MV,
      registry,
    );
    this.predictions = new Counter(
      "infermon_variant_predictions_total",
      "Predicted class per A/B variant.",
      [...MV, "class"],
      registry,
    );
    this.score = new BoundHistogram(
      "infermon_variant_prediction_score",
      "Predicted score per A/B variant (classification).",
      MV,
      scoreBuckets,
      registry,
    );
    this.value = new BoundHistogram(
      "infermon_variant_prediction_value",
      "Predicted value per A/B variant (regression).",
      MV,
      valueBuckets,
      registry,
    );
    this.windowSamples = gauge(
      "infermon_variant_window_samples",
      "Events of the variant in the sliding window.",
      MVW,
    );
    this.featurePsi = gauge(
      "infermon_variant_feature_psi",
      "Population stability index of a feature among the variant's events, against the reference.",
      [...MV, "feature", "window"],
    );
    this.predictionPsi = gauge(
      "infermon_variant_prediction_psi",
      "Population stability index of the variant's predictions, against the reference.",
      MVW,
    );
    this.predictionJs = gauge(
      "infermon_variant_prediction_js_distance",
      "Jensen-Shannon distance (base 2) of the variant's predictions from the reference.",
      MVW,
    );
    this.labeled = new Counter(
      "infermon_variant_labeled_total",
      "Predictions of the variant joined to a label (the loss test's observations).",
      MV,
      registry,
    );
    this.loss = new Counter(
      "infermon_variant_loss_total",
      "Sum of the variant's losses on labelled predictions: 1 per wrong class (classification), the absolute error (regression).",
      MV,
      registry,
    );
    this.lossSquares = new Counter(
      "infermon_variant_loss_squares_total",
      "Sum of the squared losses (the loss test's variance).",
      MV,
      registry,
    );
    this.accuracy = gauge(
      "infermon_variant_model_accuracy",
      "Share of the variant's labelled predictions that were correct, per window.",
      MVW,
    );
    this.mae = gauge(
      "infermon_variant_model_mae",
      "Mean absolute error of the variant's labelled predictions, per window.",
      MVW,
    );
    this.windowLabeled = gauge(
      "infermon_variant_window_labeled_samples",
      "Labelled predictions of the variant in the sliding window.",
      MVW,
    );
  }

  /** Window gauges are recomputed on every scrape; windows below min_samples have none. */
  resetWindowGauges(): void {
    for (const g of [
      this.windowSamples,
      this.featurePsi,
      this.predictionPsi,
      this.predictionJs,
      this.accuracy,
      this.mae,
      this.windowLabeled,
    ])
      g.reset();
  }
}
