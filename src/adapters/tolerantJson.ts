// JSON.parse that also reads the bare `NaN`, `Infinity` and `-Infinity` tokens TF-Serving (and
// Python's json module) write. The strict parser runs first; only bodies it rejects are rewritten,
// so ordinary traffic pays nothing extra.

const NAN = "\u0000NaN";
const INF = "\u0000Inf";
const NINF = "\u0000-Inf";

/** Parse `text`; throws SyntaxError like JSON.parse when it is not (tolerant) JSON. */
export function parseTolerantJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const rewritten = rewriteTokens(text);
    if (rewritten === undefined) throw err;
    return JSON.parse(rewritten, revive);
  }
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== "string" || value.charCodeAt(0) !== 0) return value;
  if (value === NAN) return Number.NaN;
  if (value === INF) return Number.POSITIVE_INFINITY;
  if (value === NINF) return Number.NEGATIVE_INFINITY;
  return value;
}

/** Replace the bare tokens outside strings with sentinel strings; undefined when there are none. */
function rewriteTokens(text: string): string | undefined {
  let out = "";
  let last = 0;
  let inString = false;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    let len = 0;
    if (c === 0x4e && text.startsWith("NaN", i)) [token, len] = [NAN, 3];
    else if (c === 0x49 && text.startsWith("Infinity", i)) [token, len] = [INF, 8];
    else if (c === 0x2d && text.startsWith("-Infinity", i)) [token, len] = [NINF, 9];
    if (token !== undefined) {
      // JSON text may not hold a raw U+0000: write it escaped
      out += `${text.slice(last, i)}"\\u0000${token.slice(1)}"`;
      i += len - 1;
      last = i + 1;
      found = true;
    }
  }
  return found ? out + text.slice(last) : undefined;
}
