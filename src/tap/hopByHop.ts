// Header handling of a reverse proxy (RFC 9110 §7.6.1): hop-by-hop fields — Connection, the fields
// it lists, Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade — are not forwarded;
// `x-forwarded-*` are added. Everything else passes through as sent; with tracing on, the tap puts
// its own client span into `traceparent` (the trace continues, its parent is the tap's span).

const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
]);

function connectionTokens(value: string, into: Set<string>): void {
  for (const t of value.split(",")) {
    const name = t.trim().toLowerCase();
    if (name) into.add(name);
  }
}

/** Fields named by Connection headers in a flat [name, value, …] list (usually none). */
function listed(raw: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i] as string;
    if (n.length === 10 && n.toLowerCase() === "connection") {
      out ??= new Set();
      connectionTokens(raw[i + 1] as string, out);
    }
  }
  return out;
}

export interface ForwardInfo {
  clientIp: string | undefined;
  proto: "http" | "https";
  /** `Basic …` from the userinfo of tap.upstream: sent when the client sent no Authorization */
  upstreamAuthorization?: string | undefined;
}

/** The upstream request's headers, and what the tap needs to know of the client's. */
export interface RequestHeaderFacts {
  /** flat [name, value, …] for the upstream */
  headers: string[];
  /** the client's x-request-id (first one), if any and not empty */
  requestId: string | undefined;
  contentLength: number | undefined;
  /** a Transfer-Encoding was sent (a body of unknown length) */
  chunked: boolean;
  contentEncoded: boolean;
  /** the Content-Encoding value as sent (when not identity) */
  contentEncoding: string | undefined;
  /** Inference-Header-Content-Length (OIP binary extension) */
  jsonLength: number | undefined;
  /** the client's W3C trace context, when sent (first of each) */
  traceparent: string | undefined;
  tracestate: string | undefined;
  /** index of the traceparent's name in `headers` (-1: none), so the tap can replace its value */
  traceparentAt: number;
}

/**
 * Request headers for the upstream from the client's raw headers: hop-by-hop removed, `expect`
 * removed (the tap answers 100-continue itself), x-forwarded-for appended, x-forwarded-proto and
 * x-forwarded-host set when absent. One pass over the raw list, so the tap never has Node build
 * `req.headers`.
 */
export function upstreamRequestHeaders(raw: readonly string[], info: ForwardInfo): RequestHeaderFacts {
  const drop = listed(raw);
  const out: string[] = [];
  let xff: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasHost = false;
  let requestId: string | undefined;
  let contentLength: number | undefined;
  let chunked = false;
  let contentEncoded = false;
  let contentEncoding: string | undefined;
  let jsonLength: number | undefined;
  let traceparent: string | undefined;
  let tracestate: string | undefined;
  let traceparentAt = -1;
  let hasAuthorization = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    // what the tap needs to know of the body, whether or not the field is forwarded (a client may
    // list Content-Length in Connection; the body still has that length)
    switch (lower) {
      case "transfer-encoding":
        chunked = true;
        break;
      case "content-length":
        contentLength = toLength(value);
        break;
      case "content-encoding":
        contentEncoded = value.trim().toLowerCase() !== "identity";
        contentEncoding = contentEncoded ? value : undefined;
        break;
      case "inference-header-content-length":
        jsonLength = toLength(value);
        break;
    }
    if (HOP_BY_HOP.has(lower) || lower === "expect" || drop?.has(lower)) continue;
    switch (lower) {
      case "x-forwarded-for":
        xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case "host":
        host = value;
        break;
      case "x-forwarded-proto":
        hasProto = true;
        break;
      case "x-forwarded-host":
        hasHost = true;
        break;
      case "x-request-id":
        if (requestId === undefined && value !== "") requestId = value;
        break;
      case "traceparent":
        if (traceparent === undefined) {
          traceparent = value;
          traceparentAt = out.length;
        }
        break;
      case "tracestate":
        tracestate = tracestate === undefined ? value : `${tracestate},${value}`;
        break;
      case "authorization":
        hasAuthorization = true;
        break;
    }
    out.push(name, value);
  }
  const ip = info.clientIp ?? "unknown";
  out.push("x-forwarded-for", xff === undefined ? ip : `${xff}, ${ip}`);
  if (!hasProto) out.push("x-forwarded-proto", info.proto);
  if (!hasHost && host !== undefined) out.push("x-forwarded-host", host);
  // the client's own credentials are end-to-end and win; the configured ones fill in
  if (!hasAuthorization && info.upstreamAuthorization !== undefined)
    out.push("authorization", info.upstreamAuthorization);
  return {
    headers: out,
    requestId,
    contentLength,
    chunked,
    contentEncoded,
    contentEncoding,
    jsonLength,
    traceparent,
    tracestate,
    traceparentAt,
  };
}

/** What the tap needs to know about the upstream's response headers. */
export interface ResponseHeaderFacts {
  /** flat [name, value, …] as the upstream sent them, hop-by-hop removed */
  headers: string[];
  hasRequestId: boolean;
  contentEncoded: boolean;
  /** the Content-Encoding value as sent (when not identity) */
  contentEncoding: string | undefined;
  /** Inference-Header-Content-Length (OIP binary extension) */
  jsonLength: number | undefined;
  contentLength: number | undefined;
}

export function clientResponseHeaders(raw: readonly (Buffer | string)[]): ResponseHeaderFacts {
  const strs = raw.map((b) => (typeof b === "string" ? b : b.toString("latin1")));
  const drop = listed(strs);
  const headers: string[] = [];
  let hasRequestId = false;
  let contentEncoded = false;
  let contentEncoding: string | undefined;
  let jsonLength: number | undefined;
  let contentLength: number | undefined;
  for (let i = 0; i < strs.length; i += 2) {
    const name = strs[i] as string;
    const value = strs[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || drop?.has(lower)) continue;
    if (lower === "x-request-id") hasRequestId = true;
    else if (lower === "content-encoding") {
      contentEncoded = value.trim().toLowerCase() !== "identity";
      contentEncoding = contentEncoded ? value : undefined;
    } else if (lower === "inference-header-content-length") jsonLength = toLength(value);
    else if (lower === "content-length") contentLength = toLength(value);
    headers.push(name, value);
  }
  return { headers, hasRequestId, contentEncoded, contentEncoding, jsonLength, contentLength };
}

export function toLength(v: string | string[] | undefined): number | undefined {
  if (typeof v !== "string") return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
