// PromQL builders: selectors and the few expression shapes the rules and dashboards share.
// Every query goes through here, so a label or metric name is spelled once.
import { METRIC_PREFIX } from "./conventions.js";

export type Matchers = Record<string, string | { re: string } | { ne: string } | { nre: string }>;

/** Escape a value for a double-quoted PromQL/LogQL string. */
export const quote = (v: string): string => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** `metric{a="b",c=~"d"}` with matchers in the given order. */
export function sel(metric: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([k, v]) => {
    if (typeof v === "string") return `${k}=${quote(v)}`;
    if ("re" in v) return `${k}=~${quote(v.re)}`;
    if ("nre" in v) return `${k}!~${quote(v.nre)}`;
    return `${k}!=${quote(v.ne)}`;
  });
  return parts.length > 0 ? `${metric}{${parts.join(",")}}` : metric;
}

/** The agent's metric names (docs/metrics.md). */
export const M = {
  requests: `${METRIC_PREFIX}inference_requests_total`,
  duration: `${METRIC_PREFIX}inference_request_duration_seconds`,
  events: `${METRIC_PREFIX}events_total`,
  dropped: `${METRIC_PREFIX}events_dropped_total`,
  ignored: `${METRIC_PREFIX}events_ignored_total`,
  pairingConflicts: `${METRIC_PREFIX}pairing_conflicts_total`,
  parseErrors: `${METRIC_PREFIX}parse_errors_total`,
  predictionReadErrors: `${METRIC_PREFIX}prediction_read_errors_total`,
  failedRequestValues: `${METRIC_PREFIX}failed_request_feature_values_total`,
  queueDepth: `${METRIC_PREFIX}queue_depth`,
  listenerRejected: `${METRIC_PREFIX}listener_rejected_total`,
  bufferedBytes: `${METRIC_PREFIX}buffered_bytes`,
  featurePsi: `${METRIC_PREFIX}feature_psi`,
  featureKl: `${METRIC_PREFIX}feature_kl_divergence`,
  featureJs: `${METRIC_PREFIX}feature_js_distance`,
  binObservations: `${METRIC_PREFIX}feature_bin_observations_total`,
  referenceRatio: `${METRIC_PREFIX}feature_reference_ratio`,
  referenceObservations: `${METRIC_PREFIX}feature_reference_observations`,
  missing: `${METRIC_PREFIX}feature_missing_total`,
  invalid: `${METRIC_PREFIX}feature_invalid_total`,
  unseen: `${METRIC_PREFIX}feature_unseen_category_total`,
  windowSamples: `${METRIC_PREFIX}window_samples`,
  predictionPsi: `${METRIC_PREFIX}prediction_psi`,
  predictionKl: `${METRIC_PREFIX}prediction_kl_divergence`,
  predictionJs: `${METRIC_PREFIX}prediction_js_distance`,
  predictionLevel: `${METRIC_PREFIX}prediction_drift_level`,
  predictionScore: `${METRIC_PREFIX}prediction_score`,
  predictionValue: `${METRIC_PREFIX}prediction_value`,
  predictions: `${METRIC_PREFIX}predictions_total`,
  labels: `${METRIC_PREFIX}labels_total`,
  labeled: `${METRIC_PREFIX}labeled_predictions_total`,
  accuracy: `${METRIC_PREFIX}model_accuracy`,
  precision: `${METRIC_PREFIX}model_precision`,
  recall: `${METRIC_PREFIX}model_recall`,
  f1: `${METRIC_PREFIX}model_f1`,
  mae: `${METRIC_PREFIX}model_mae`,
  rmse: `${METRIC_PREFIX}model_rmse`,
  labelDelay: `${METRIC_PREFIX}label_delay_seconds`,
  joinPending: `${METRIC_PREFIX}label_join_pending`,
  joinWaitingLabels: `${METRIC_PREFIX}label_join_waiting_labels`,
  llmTokens: `${METRIC_PREFIX}llm_tokens_total`,
  llmFinishReasons: `${METRIC_PREFIX}llm_finish_reasons_total`,
  windowLabeled: `${METRIC_PREFIX}window_labeled_samples`,
  rocAuc: `${METRIC_PREFIX}model_roc_auc`,
  estimatedAccuracy: `${METRIC_PREFIX}model_estimated_accuracy`,
  estimatedPrecision: `${METRIC_PREFIX}model_estimated_precision`,
  estimatedRecall: `${METRIC_PREFIX}model_estimated_recall`,
  estimatedF1: `${METRIC_PREFIX}model_estimated_f1`,
  estimatedRocAuc: `${METRIC_PREFIX}model_estimated_roc_auc`,
  estimationError: `${METRIC_PREFIX}model_estimation_error`,
  scoreBins: `${METRIC_PREFIX}labeled_score_bin_total`,
  negativesBelow: `${METRIC_PREFIX}labeled_score_negatives_below_total`,
  joinExpired: `${METRIC_PREFIX}label_join_expired_total`,
  joinEvicted: `${METRIC_PREFIX}label_join_evicted_total`,
  joinRestored: `${METRIC_PREFIX}label_join_restored_total`,
  joinUnrecovered: `${METRIC_PREFIX}label_join_unrecovered_total`,
  kafkaMessages: `${METRIC_PREFIX}kafka_messages_total`,
  kafkaLag: `${METRIC_PREFIX}kafka_consumer_lag`,
  forwarded: `${METRIC_PREFIX}forward_predictions_total`,
  received: `${METRIC_PREFIX}predictions_received_total`,
  buildInfo: `${METRIC_PREFIX}build_info`,
  residentMemory: "process_resident_memory_bytes",
  up: "up",
} as const;

export const rate = (selector: string, window: string): string => `rate(${selector}[${window}])`;
export const increase = (selector: string, window: string): string => `increase(${selector}[${window}])`;
export const sumBy = (labels: readonly string[], inner: string): string =>
  labels.length > 0 ? `sum by (${labels.join(", ")}) (${inner})` : `sum(${inner})`;

/**
 * `num / den` where a missing numerator (no error series yet) counts as zero rather than
 * making the ratio disappear: `(num or 0 * den) / den`.
 */
export const ratioOrZero = (num: string, den: string): string => `(${num} or 0 * ${den}) / ${den}`;

/** A number as PromQL prints it (no exponent for the values we use, no trailing zeros). */
export function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}
