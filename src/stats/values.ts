// Turning raw field values into what binning needs. Missing and invalid values are never binned.
import { finiteNumber } from "./finiteNumber.js";

/** Text that means "no value" in data files: empty and the usual NA markers. */
const MISSING_TOKENS = new Set(["", "null", "NULL", "None", "NA", "N/A"]);

/**
 * A numeric reading of `raw`: a finite number, or MISSING_VALUE (null, absent, an NA marker) or
 * INVALID_VALUE (text that is not a number, a non-finite number however written, a boolean, an
 * object). Strings are read as numbers (CSV fields, TF-Serving tokens).
 */
export function readNumber(raw: unknown): number | typeof MISSING_VALUE | typeof INVALID_VALUE {
  // numbers first: the agent's hot path (JSON bodies) is almost only numbers
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : INVALID_VALUE;
  if (raw === null || raw === undefined) return MISSING_VALUE;
  if (typeof raw === "string" && MISSING_TOKENS.has(raw.trim())) return MISSING_VALUE;
  return finiteNumber(raw) ?? INVALID_VALUE;
}

/** A categorical reading of `raw`: its text, or MISSING/INVALID (a non-finite number is invalid). */
export function readCategory(raw: unknown): string | typeof MISSING_VALUE | typeof INVALID_VALUE {
  if (typeof raw === "string") return raw === "" ? MISSING_VALUE : raw;
  if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : INVALID_VALUE;
  if (typeof raw === "boolean") return String(raw);
  if (raw === null || raw === undefined) return MISSING_VALUE;
  return INVALID_VALUE;
}

export const MISSING_VALUE: unique symbol = Symbol("missing");
export const INVALID_VALUE: unique symbol = Symbol("invalid");
