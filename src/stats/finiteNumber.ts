// The one rule for "is this a number" shared by every source (CSV, JSONL, OIP v2 JSON and binary,
// TF-Serving, JSON paths, OpenAI chat, predictions): a finite double. Anything that is not finite,
// however it is written (`1e309`, `inf`, `-Infinity`, `NaN`, a binary FP16 infinity), is not a
// number we can bin: overflowing text must not land in the top bin while the literal `inf` is
// counted invalid (docs/adr/0009-profile-layouts-missing-data.md).

/** `raw` as a finite number (numbers, or numeric text with surrounding spaces), else undefined. */
export function finiteNumber(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== "string") return undefined;
  const t = raw.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
