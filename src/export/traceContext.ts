// W3C trace context read from what producers send: a request's `traceparent`/`tracestate`, a
// CloudEvent's distributed-tracing extension (`ce-traceparent` in binary mode, `traceparent` in
// structured mode) and Kafka record headers (`traceparent`, as Buffer or string).
import { type Link, type SpanContext, TraceFlags } from "@opentelemetry/api";
import { parseTraceParent, TraceState } from "@opentelemetry/core";

/** The ids a log line or an exemplar carries. */
export interface TraceIds {
  traceId: string;
  spanId: string;
}

/** The remote span context a `traceparent` (and `tracestate`) names; undefined when invalid. */
export function remoteContext(traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  if (traceparent === undefined) return undefined;
  const sc = parseTraceParent(traceparent);
  if (!sc) return undefined;
  // it came over the wire: parent-based sampling treats it as a remote parent
  sc.isRemote = true;
  if (tracestate) sc.traceState = new TraceState(tracestate);
  return sc;
}

/** `00-<trace id>-<span id>-<flags>` for a span context. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${Number(sc.traceFlags & TraceFlags.SAMPLED)}`;
}

type HeaderValue = string | Buffer | readonly (string | Buffer)[] | undefined;

function first(v: HeaderValue): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined) return undefined;
  return typeof x === "string" ? x : (x as Buffer).toString("latin1");
}

/**
 * A link to the producer's span from a message's trace headers: `traceparent`/`tracestate`, or the
 * CloudEvents binary-mode `ce-traceparent`/`ce-tracestate` (header names in any case). For Kafka
 * records (kafkajs `message.headers`) and HTTP/CloudEvents headers alike; undefined when there is
 * no valid traceparent.
 */
export function linkFromHeaders(
  headers: Readonly<Record<string, HeaderValue>> | undefined,
): Link | undefined {
  if (!headers) return undefined;
  let tp: string | undefined;
  let ts: string | undefined;
  for (const k of Object.keys(headers)) {
    const l = k.toLowerCase();
    if (l === "traceparent" || l === "ce-traceparent") tp ??= first(headers[k]);
    else if (l === "tracestate" || l === "ce-tracestate") ts ??= first(headers[k]);
  }
  const context = remoteContext(tp?.trim(), ts?.trim());
  return context && { context };
}

/** trace_id / span_id fields for a log line (snake case, as Loki's derived fields expect). */
export function logFields(ids: TraceIds | undefined): { trace_id?: string; span_id?: string } {
  return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
