// Reading a body as JSON with the parse-error reasons the metrics use.
import type { ParseErrorReason } from "./inferenceEvent.js";
import { parseTolerantJson } from "./tolerantJson.js";

export type JsonRead = { ok: true; value: unknown } | { ok: false; reason: ParseErrorReason };

export function readJson(body: Buffer, tolerant = false): JsonRead {
  const text = body.toString("utf8");
  try {
    return { ok: true, value: tolerant ? parseTolerantJson(text) : JSON.parse(text) };
  } catch (err) {
    return {
      ok: false,
      reason: isTruncation((err as Error).message, text.length) ? "truncated" : "malformed_json",
    };
  }
}

/** V8's messages: "Unexpected end of JSON input", "Unterminated string …", or an error at the very end. */
function isTruncation(message: string, length: number): boolean {
  if (message.includes("end of JSON input") || message.startsWith("Unterminated")) return true;
  const at = message.lastIndexOf("at position ");
  return at >= 0 && Number(message.slice(at + 12).split(" ")[0]) >= length;
}

export const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** Nested arrays flattened row-major (OIP allows both flat and nested `data`). */
export function flatten(x: unknown): unknown[] {
  if (!Array.isArray(x)) return [x];
  if (!x.some(Array.isArray)) return x;
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else out.push(v);
  };
  walk(x);
  return out;
}
