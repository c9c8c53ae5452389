// Secrets in URLs never reach a log, an error or /metrics: the userinfo (`user:password@`), the query
// string (presigned `X-Amz-Signature`, `?token=`) and the fragment of a URL are replaced by
// `[redacted]`. Two entry points: `redactUrl` for a value known to be a URL (a config key, an
// endpoint), `redactUrls` for free text that may contain URLs (an error message from DuckDB, undici,
// the OTLP exporter; a whole log line). Both are pure and never throw.

export const REDACTED = "[redacted]";

/** Ends a URL inside free text (whitespace, quotes, brackets, a JSON string's end). */
const URL_END = /[\s"'<>`\\]/;
/** A URL's start in free text: a scheme and `//`. */
const SCHEME = /[A-Za-z][A-Za-z0-9+.-]*:\/\//g;

/**
 * `url` without secrets: `https://[redacted]@host/path?[redacted]#[redacted]`. A value that is not
 * a URL with `//` is returned unchanged unless it has an `@` before its first `/` (then what comes
 * before the `@` is redacted: `user:pass@host:9092`).
 */
export function redactUrl(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(.*)$/s.exec(url);
  if (!m) {
    // host:port forms (OTLP endpoints, brokers) may carry userinfo too
    const slash = url.indexOf("/");
    const at = url.lastIndexOf("@", slash < 0 ? url.length : slash);
    return at < 0 ? url : `${REDACTED}@${url.slice(at + 1)}`;
  }
  return (m[1] as string) + redactRest(m[2] as string);
}

/** The part of a URL after `scheme://`: userinfo, query and fragment redacted. */
function redactRest(rest: string): string {
  // the authority ends at the first "/", "?" or "#"; a password may contain "@" (the last "@"
  // before the path ends the userinfo), and even an unescaped "/" or "?": when an "@" comes later
  // and what precedes the first "/" is no plain host[:port], the userinfo runs to that "@"
  let end = rest.search(/[/?#]/);
  if (end < 0) end = rest.length;
  let at = rest.lastIndexOf("@", end);
  if (at < 0) {
    const later = rest.lastIndexOf("@");
    if (later > end && !/^[A-Za-z0-9._~-]*(:\d*)?$|^\[[0-9A-Fa-f:.]*\](:\d*)?$/.test(rest.slice(0, end))) {
      at = later;
      end = rest.slice(at + 1).search(/[/?#]/);
      end = end < 0 ? rest.length : at + 1 + end;
    }
  }
  let out = at < 0 ? rest.slice(0, end) : `${REDACTED}@${rest.slice(at + 1, end)}`;
  const tail = rest.slice(end);
  const q = tail.search(/[?#]/);
  out += q < 0 ? tail : tail.slice(0, q);
  if (q >= 0) out += tail[q] === "?" ? `?${REDACTED}` : `#${REDACTED}`;
  return out;
}

/** Every URL in `text` redacted as `redactUrl` does; text without `://` is returned as is. */
export function redactUrls(text: string): string {
  if (!text.includes("://")) return text;
  let out = "";
  let last = 0;
  SCHEME.lastIndex = 0;
  for (let m = SCHEME.exec(text); m !== null; m = SCHEME.exec(text)) {
    const start = m.index;
    if (start < last) continue;
    const from = start + m[0].length;
    const stop = text.slice(from).search(URL_END);
    const end = stop < 0 ? text.length : from + stop;
    out += text.slice(last, from) + redactRest(text.slice(from, end));
    last = end;
    SCHEME.lastIndex = end;
  }
  return out + text.slice(last);
}

/** Whether `url` carries a userinfo part (`user:password@`). */
export function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== "" || u.password !== "";
  } catch {
    return false;
  }
}
