// The headers a replay is sent to the shadow with: those the tap forwarded to the primary (hop-by-hop
// already removed, x-request-id and x-forwarded-* included), minus the ones that belong to the
// primary's connection or the client's session (Host and Content-Length are set for the shadow by
// its client; Cookie and Proxy-Authorization stay with the primary; the client's trace is not
// continued into a request it never made), plus `x-infermon-shadow: 1` so the shadow can tell.
const DROP = new Set([
  "host",
  "content-length",
  "cookie",
  "proxy-authorization",
  "traceparent",
  "tracestate",
  "x-infermon-shadow",
]);

export const SHADOW_MARKER = "x-infermon-shadow";

/** A flat [name, value, …] list for the shadow request. */
export function shadowHeaders(forwarded: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < forwarded.length; i += 2) {
    const name = forwarded[i] as string;
    if (DROP.has(name.toLowerCase())) continue;
    out.push(name, forwarded[i + 1] as string);
  }
  out.push(SHADOW_MARKER, "1");
  return out;
}
