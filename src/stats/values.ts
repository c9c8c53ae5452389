// Turning raw field values into what binning needs. Missing and invalid values are never binned.

const MISSING_TOKENS = new Set(["", "nan", "NaN", "NAN", "null", "NULL", "None", "NA", "N/A"]);

/**
 * A numeric reading of `raw`: a number (±Infinity allowed), or MISSING_VALUE / INVALID_VALUE.
 * Strings are read as numbers (CSV fields, TF-Serving tokens); booleans and objects are invalid.
 */
export function readNumber(raw: unknown): number | typeof MISSING_VALUE | typeof INVALID_VALUE {
  if (typeof raw === "number") return Number.isNaN(raw) ? MISSING_VALUE : raw;
  if (raw === null || raw === undefined) return MISSING_VALUE;
  if (typeof raw === "string") {
    const t = raw.trim();
    if (MISSING_TOKENS.has(t)) return MISSING_VALUE;
    const n = Number(t);
    return Number.isNaN(n) ? INVALID_VALUE : n;
  }
  return INVALID_VALUE;
}

/** A categorical reading of `raw`: its text, or MISSING/INVALID. */
export function readCategory(raw: unknown): string | typeof MISSING_VALUE | typeof INVALID_VALUE {
  if (typeof raw === "string") return raw === "" ? MISSING_VALUE : raw;
  if (typeof raw === "number") return Number.isNaN(raw) ? MISSING_VALUE : String(raw);
  if (typeof raw === "boolean") return String(raw);
  if (raw === null || raw === undefined) return MISSING_VALUE;
  return INVALID_VALUE;
}

export const MISSING_VALUE: unique symbol = Symbol("missing");
export const INVALID_VALUE: unique symbol = Symbol("invalid");
