import { STATUS_CODES } from "node:http";

// Label values that come from traffic are checked against configuration or a fixed set, or capped
// with an `other` bucket, so no request can mint a new series without end (docs/adr/0011).

/** The value every out-of-set or over-cap label value becomes. */
export const OTHER = "other";

/**
 * Longest label value taken from traffic as it is. Bounding the number of values is not enough: a
 * 10 kB model_version from a response body would be copied into every series of the model on every
 * scrape. Longer values are `other`.
 */
export const MAX_LABEL_VALUE_LENGTH = 128;

/** Whether a value from traffic may become a label value as it is (given a free slot). */
export const fitsLabel = (value: string): boolean => value.length <= MAX_LABEL_VALUE_LENGTH;

/** Keeps the first `max` distinct values as they are; later new values share `other`. */
export class CappedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (!fitsLabel(value)) return OTHER;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(value);
    return value;
  }
}

/**
 * An HTTP status code as a label: a code Node.js knows by name (node:http STATUS_CODES, a fixed set)
 * as it is, another code of 100–599 as its class (`5xx`, still matched by the SLIs' `code=~"5.."`),
 * anything else `other`.
 */
export function codeLabel(code: number): string {
  if (!Number.isInteger(code) || code < 100 || code > 599) return OTHER;
  return STATUS_CODES[code] !== undefined ? String(code) : `${Math.floor(code / 100)}xx`;
}

/** OpenAI-style finish reasons (chat completions API); anything else is `other`. */
const FINISH_REASONS = new Set(["stop", "length", "content_filter", "tool_calls", "function_call"]);

export function finishReasonLabel(reason: string): string {
  return FINISH_REASONS.has(reason) ? reason : OTHER;
}

/** A model name from traffic, when it is not one of the configured models. */
export const UNKNOWN_MODEL = "unknown";
