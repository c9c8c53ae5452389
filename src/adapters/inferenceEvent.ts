// What every source (tap, CloudEvents, POST /v1/events) turns traffic into, and the monitor counts.

export interface InferenceEvent {
  model: string;
  /** the response's model_version when present, else the configured version */
  version: string;
  /** request id; rows of a multi-row request get `<id>:<row>` */
  id: string;
  /** feature name → raw value (binning reads numbers, numeric strings and categories) */
  features: Record<string, unknown>;
  /** score (binary), class probabilities (multiclass), class label, or value (regression) */
  prediction?: unknown;
  /** milliseconds since the epoch */
  time: number;
  /** ground truth sent with the prediction (POST /v1/events, Kafka): joined at once */
  label?: unknown;
  /** the A/B variant the request went to (models[].variants): read by the tap, or sent with the event */
  variant?: string;
  /**
   * the tap's `x-request-id` when the body gave another `id` (MLServer, KServe): a label sent with
   * either joins; rows get `<requestId>:<row>` too
   */
  requestId?: string;
  /** what the output holds, when its datatype or shape tells (an integer or string tensor holds labels) */
  predictionKind?: PredictionKind;
}

/** A prediction's kind: a score or probabilities, or a class label. */
export type PredictionKind = "score" | "label";

/** `infermon_prediction_read_errors_total{reason}`: predictions not read as configured (the event's features still count). */
export const PREDICTION_ERROR_REASONS = [
  "output_not_found",
  "labels_not_scores",
  "scores_not_labels",
] as const;
export type PredictionErrorReason = (typeof PREDICTION_ERROR_REASONS)[number];

/** A prediction the adapter could not take from the response, with what to change. */
export interface PredictionError {
  reason: PredictionErrorReason;
  detail: string;
}

/** Usage of one OpenAI-style chat completion (no features, no drift). */
export interface LlmUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  finishReasons: string[];
}

/** The two bodies of one inference call, as the tap or the CloudEvents sink saw them. */
export interface Exchange {
  request: Buffer | undefined;
  response: Buffer | undefined;
  /** `Inference-Header-Content-Length` of the request / response (OIP binary extension) */
  requestJsonLength?: number | undefined;
  responseJsonLength?: number | undefined;
  /** x-request-id (from the client or generated) */
  requestId: string;
  /** the upstream's status when it was not a 2xx: the request failed, only its inputs are analysed */
  failedStatus?: number | undefined;
  time: number;
  /** the trace this exchange belongs to (a sampled tap request, a producer-linked analysis span),
   * for the log lines analysis writes about it */
  trace?: { traceId: string; spanId: string } | undefined;
  /** the A/B variant the tap read from the request (models[].variants), given to every event */
  variant?: string | undefined;
}

export type DecodeResult =
  | { kind: "events"; events: InferenceEvent[]; predictionError?: PredictionError | undefined }
  | { kind: "llm"; usage: LlmUsage }
  | { kind: "error"; reason: ParseErrorReason; detail?: string | undefined };

/** `infermon_parse_errors_total{reason}` values of a configured model (each exists at 0 from the start). */
export const PARSE_ERROR_REASONS = [
  "malformed_json",
  "truncated",
  "wrong_shape",
  "missing_body",
  "content_encoding",
  "binary_tensor",
  "row_mismatch",
  "input_not_found",
  "input_shape",
] as const;
export type ParseErrorReason = (typeof PARSE_ERROR_REASONS)[number];

export const parseError = (reason: ParseErrorReason, detail?: string): DecodeResult =>
  detail === undefined ? { kind: "error", reason } : { kind: "error", reason, detail };

export interface ProtocolAdapter {
  decode(exchange: Exchange): DecodeResult;
}
