// The fixed sets of `reason` label values the agent counts with. Every value exists at 0 from the
// start (initialSeries.ts), so rate()/increase() see the first increment.

/** `infermon_events_dropped_total{reason}`: copies of traffic that were not analysed. */
export const DROP_REASONS = [
  "overload",
  "queue_full",
  "body_too_large",
  "memory_budget",
  "decompressed_too_large",
  "analysis_error",
  "unpaired",
  "unknown_type",
  "unknown_model",
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** `infermon_parse_errors_total{model="unknown",reason}`: ingest bodies that name no configured model. */
export const INGEST_PARSE_ERROR_REASONS = [
  "not_cloudevent",
  "malformed_json",
  "wrong_shape",
  "content_encoding",
] as const;

/** `infermon_events_ignored_total{reason}`: logger events with nothing to analyse (not errors). */
export const IGNORE_REASONS = ["empty_body"] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];
