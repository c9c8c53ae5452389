// The label join's and model quality's metrics (docs/metrics.md), on the agent's registry.
import { Gauge, type Registry } from "prom-client";
import { BoundHistogram, BoundCounter as Counter } from "./boundMetrics.js";

/** `infermon_labels_total{outcome}` values; unknown_model only with model="unknown". */
export const LABEL_OUTCOMES = ["matched", "unmatched", "duplicate", "conflict", "invalid"] as const;
export type LabelOutcome = (typeof LABEL_OUTCOMES)[number] | "unknown_model";

/** Label delay buckets (seconds): a second to a week; the model's ttl is added. */
export const LABEL_DELAY_BUCKETS = [
  1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800,
];

export class QualityMetrics {
  readonly labels: Counter<"model" | "outcome" | "source">;
  readonly labeled: Counter<"model" | "model_version" | "result">;
  readonly accuracy: Gauge<"model" | "model_version" | "window">;
  readonly precision: Gauge<"model" | "model_version" | "window" | "class">;
  readonly recall: Gauge<"model" | "model_version" | "window" | "class">;
  readonly f1: Gauge<"model" | "model_version" | "window" | "class">;
  readonly mae: Gauge<"model" | "model_version" | "window">;
  readonly rmse: Gauge<"model" | "model_version" | "window">;
  readonly labeledInWindow: Gauge<"model" | "model_version" | "window">;
  readonly delay: BoundHistogram<"model">;
  readonly pending: Gauge<"model">;
  readonly waitingLabels: Gauge<"model">;
  readonly expired: Counter<"model">;
  readonly evicted: Counter<"model" | "source">;
  readonly restored: Counter<"from">;
  readonly unrecovered: Counter<"from">;

  constructor(registry: Registry, delayBuckets: readonly number[] = LABEL_DELAY_BUCKETS) {
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const MW = ["model", "model_version", "window"] as const;
    const MWC = [...MW, "class"] as const;
    this.labels = new Counter(
      "infermon_labels_total",
      "Labels received, by outcome (matched, unmatched: expired waiting for a prediction, duplicate, conflict: disagrees with the label held, invalid, unknown_model) and source (the sender).",
      ["model", "outcome", "source"],
      registry,
    );
    this.labeled = new Counter(
      "infermon_labeled_predictions_total",
      "Predictions joined to a label, by result: correct, incorrect (regression: within labels.tolerance; not counted without one).",
      ["model", "model_version", "result"],
      registry,
    );
    this.accuracy = gauge("infermon_model_accuracy", "Share of labelled predictions that were correct.", MW);
    this.precision = gauge(
      "infermon_model_precision",
      "Precision per class; without a class label, the macro average.",
      MWC,
    );
    this.recall = gauge(
      "infermon_model_recall",
      "Recall per class; without a class label, the macro average.",
      MWC,
    );
    this.f1 = gauge("infermon_model_f1", "F1 per class; without a class label, the macro average.", MWC);
    this.mae = gauge("infermon_model_mae", "Mean absolute error of labelled predictions.", MW);
    this.rmse = gauge("infermon_model_rmse", "Root mean squared error of labelled predictions.", MW);
    this.labeledInWindow = gauge(
      "infermon_window_labeled_samples",
      "Labelled predictions in the sliding window (quality metrics need min_samples).",
      MW,
    );
    this.delay = new BoundHistogram(
      "infermon_label_delay_seconds",
      "Label arrival minus prediction time.",
      ["model"],
      delayBuckets,
      registry,
    );
    this.pending = gauge("infermon_label_join_pending", "Predictions waiting for a label.", ["model"]);
    this.waitingLabels = gauge(
      "infermon_label_join_waiting_labels",
      "Labels that arrived before their prediction, waiting for it.",
      ["model"],
    );
    this.expired = new Counter(
      "infermon_label_join_expired_total",
      "Predictions that left the join without a label (ttl or max_pending).",
      ["model"],
      registry,
    );
    this.evicted = new Counter(
      "infermon_label_join_evicted_total",
      "Waiting predictions and labels that left the join early to make room (max_pending, max_pending_per_source), by the source whose entry left.",
      ["model", "source"],
      registry,
    );
    this.restored = new Counter(
      "infermon_label_join_restored_total",
      "Label-join entries brought back after a restart or rebalance: records replayed from Kafka (from=kafka), entries read from the state file (from=state_file).",
      ["from"],
      registry,
    );
    this.unrecovered = new Counter(
      "infermon_label_join_unrecovered_total",
      "Label-join entries that could not be brought back after a restart: records a replay needed that Kafka no longer holds (from=kafka), entries waiting when the previous run was killed (from=state_file, as of its last heartbeat).",
      ["from"],
      registry,
    );
  }

  /** Window gauges are recomputed on every scrape; windows below min_samples have none. */
  resetWindowGauges(): void {
    for (const g of [
      this.accuracy,
      this.precision,
      this.recall,
      this.f1,
      this.mae,
      this.rmse,
      this.labeledInWindow,
    ])
      g.reset();
  }
}
