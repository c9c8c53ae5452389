// POST /v1/labels: labels as a JSON object, a JSON array, or NDJSON (one per line).
import { parseTolerantJson } from "../adapters/tolerantJson.js";

export const MALFORMED = Symbol("malformed");

/** Each item of the body: a parsed JSON value, or MALFORMED for a line that is not JSON. */
export function readJsonItems(body: Buffer): unknown[] {
  const text = body.toString("utf8");
  try {
    const x = parseTolerantJson(text);
    return Array.isArray(x) ? x : [x];
  } catch {
    const items: unknown[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        items.push(parseTolerantJson(line));
      } catch {
        items.push(MALFORMED);
      }
    }
    return items;
  }
}
