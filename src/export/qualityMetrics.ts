// The label join's and model quality's metrics (docs/metrics.md), on the agent's registry.
import type { Registry } from "prom-client";
import { BoundHistogram, BoundCounter as Counter, BoundGauge as Gauge } from "./boundMetrics.js";

/** `infermon_labels_total{outcome}` values; unknown_model only with model="unknown". */
export const LABEL_OUTCOMES = ["matched", "unmatched", "duplicate", "conflict", "invalid"] as const;
export type LabelOutcome = (typeof LABEL_OUTCOMES)[number] | "unknown_model";

/** Label delay buckets (seconds): a second to a week; the model's ttl is added. */
export const LABEL_DELAY_BUCKETS = [
  1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800,
];

type MW = "model" | "model_version" | "window";

/** The classification gauges CBPE estimates. */
export interface QualityGauges {
  accuracy: Gauge<MW>;
  precision: Gauge<MW | "class">;
  recall: Gauge<MW | "class">;
  f1: Gauge<MW | "class">;
  rocAuc: Gauge<MW | "class">;
}

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
  readonly rocAuc: Gauge<"model" | "model_version" | "window" | "class">;
  /** standard errors of the quality gauges, same labels (docs/metrics.md, "Standard errors") */
  readonly stderr: {
    accuracy: Gauge<"model" | "model_version" | "window">;
    precision: Gauge<"model" | "model_version" | "window" | "class">;
    recall: Gauge<"model" | "model_version" | "window" | "class">;
    f1: Gauge<"model" | "model_version" | "window" | "class">;
    rocAuc: Gauge<"model" | "model_version" | "window" | "class">;
    mae: Gauge<"model" | "model_version" | "window">;
    rmse: Gauge<"model" | "model_version" | "window">;
  };
  /** CBPE: quality estimated from the calibrated scores of the window's predictions, and its SE */
  readonly estimated: QualityGauges;
  readonly estimatedStderr: QualityGauges;
  /** estimated minus realized on the labelled predictions of a window, per metric */
  readonly estimationError: Gauge<"model" | "model_version" | "window" | "metric">;
  /** labelled predictions per score bin of a class, by truth (positive: the label is the class) */
  readonly scoreBins: Counter<"model" | "model_version" | "class" | "bin" | "truth">;
  /** labelled predictions whose label is not the class, with the class's score in a lower bin */
  readonly negativesBelow: Counter<"model" | "model_version" | "class" | "bin">;
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
    this.rocAuc = gauge(
      "infermon_model_roc_auc",
      "ROC AUC of labelled predictions from score histograms (binary: no class label; multiclass: one-vs-rest per class, macro without class).",
      MWC,
    );
    const se = (metric: string) =>
      `Standard error of ${metric} (the spread of another window of the same size).`;
    const est = (what: string, labels: readonly ("model" | "model_version" | "window" | "class")[]) =>
      gauge(
        `infermon_model_estimated_${what}`,
        `${what === "roc_auc" ? "ROC AUC" : what} of the window's predictions estimated from their calibrated scores (CBPE), before labels.`,
        labels,
      );
    const estSe = (what: string, labels: readonly ("model" | "model_version" | "window" | "class")[]) =>
      gauge(
        `infermon_model_estimated_${what}_stderr`,
        `Standard error of infermon_model_estimated_${what}: the spread of the realized value around the estimate when the calibration holds.`,
        labels,
      );
    this.estimated = {
      accuracy: est("accuracy", MW),
      precision: est("precision", MWC),
      recall: est("recall", MWC),
      f1: est("f1", MWC),
      rocAuc: est("roc_auc", MWC),
    };
    this.estimatedStderr = {
      accuracy: estSe("accuracy", MW),
      precision: estSe("precision", MWC),
      recall: estSe("recall", MWC),
      f1: estSe("f1", MWC),
      rocAuc: estSe("roc_auc", MWC),
    };
    this.estimationError = gauge(
      "infermon_model_estimation_error",
      "Estimated minus realized quality on the labelled predictions of the window (the estimate from their scores alone), per metric: accuracy, precision, recall, f1 (macro), roc_auc.",
      [...MW, "metric"],
    );
    this.stderr = {
      accuracy: gauge("infermon_model_accuracy_stderr", se("infermon_model_accuracy"), MW),
      precision: gauge("infermon_model_precision_stderr", se("infermon_model_precision"), MWC),
      recall: gauge("infermon_model_recall_stderr", se("infermon_model_recall"), MWC),
      f1: gauge("infermon_model_f1_stderr", se("infermon_model_f1"), MWC),
      rocAuc: gauge("infermon_model_roc_auc_stderr", se("infermon_model_roc_auc"), MWC),
      mae: gauge("infermon_model_mae_stderr", se("infermon_model_mae"), MW),
      rmse: gauge("infermon_model_rmse_stderr", se("infermon_model_rmse"), MW),
    };
    this.scoreBins = new Counter(
      "infermon_labeled_score_bin_total",
      "Labelled predictions per bin of a class's score, by truth (positive: the label is the class); the fleet ROC AUC rules merge them.",
      ["model", "model_version", "class", "bin", "truth"],
      registry,
    );
    this.negativesBelow = new Counter(
      "infermon_labeled_score_negatives_below_total",
      "Labelled predictions whose label is not the class and whose score for it falls in a lower bin than `bin` (cumulative; the fleet ROC AUC rules read it).",
      ["model", "model_version", "class", "bin"],
      registry,
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
      this.rocAuc,
      ...Object.values(this.stderr),
      ...Object.values(this.estimated),
      ...Object.values(this.estimatedStderr),
      this.estimationError,
    ])
      g.reset();
  }
}
