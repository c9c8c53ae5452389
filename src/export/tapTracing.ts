// Spans for the tap, created directly at the proxy's seams (src/tap/requestTrace.ts): a SERVER span
// for the client's request and a CLIENT child for the upstream call, with the HTTP semantic
// conventions' attributes and infermon.model / model_version / request_id. The client's
// traceparent is continued; the upstream receives the CLIENT span as its parent. A request the
// sampler drops costs one Math.random() (no traceparent) and keeps the client's traceparent as sent.
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";
import { NO_REQUEST_TRACE, type RequestTrace, type RequestTracer } from "../tap/requestTrace.js";
import { KEPT_ROOT } from "./sampler.js";
import { formatTraceparent, remoteContext } from "./traceContext.js";

/** What the tap's route table maps a request to (a model's runtime). */
export interface TracedTarget {
  readonly name: string;
  readonly version: string;
  readonly route: string;
}

export const ATTR_INFERMON_MODEL = "infermon.model";
export const ATTR_INFERMON_MODEL_VERSION = "infermon.model_version";
export const ATTR_INFERMON_REQUEST_ID = "infermon.request_id";

/**
 * `rootRatio` (sampler.ts): when set, the tap draws the sampling decision itself for requests
 * without a trace context — a dropped request returns before the SDK is called (no ids, span,
 * context or closure) — and follows a valid client traceparent's sampled flag (parent-based).
 */
export function tapTracer<T extends TracedTarget>(
  tracer: Tracer,
  upstream: string,
  rootRatio?: number,
): RequestTracer<T> {
  const u = new URL(upstream);
  const origin = u.origin;
  const basePath = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  const upstreamHost = u.hostname.replace(/^\[|\]$/g, "");
  const upstreamPort = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  return {
    start(req, target, requestId, traceparent, tracestate) {
      const parent = remoteContext(traceparent, tracestate);
      let ctx: Context;
      if (parent) {
        if (rootRatio !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0)
          return NO_REQUEST_TRACE;
        ctx = trace.setSpanContext(ROOT_CONTEXT, parent);
      } else if (rootRatio === undefined) ctx = ROOT_CONTEXT;
      else if (Math.random() < rootRatio) ctx = KEPT_ROOT;
      else return NO_REQUEST_TRACE;
      const method = req.method ?? "GET";
      // attributes only once the sampler kept the span: a dropped request builds nothing
      const server = tracer.startSpan(
        target ? `${method} ${target.route}` : method,
        { kind: SpanKind.SERVER },
        ctx,
      );
      const sc = server.spanContext();
      if ((sc.traceFlags & TraceFlags.SAMPLED) === 0 || !server.isRecording()) return NO_REQUEST_TRACE;
      const path = pathOnly(req.url);
      // the semantic conventions' required and the useful recommended attributes, no more: every
      // attribute is encoded and sent for every sampled request (bench/README.md, tracing cost).
      // No server.address (it would make Node parse all request headers into req.headers).
      const attrs: Attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: path,
        [ATTR_URL_SCHEME]: "http",
      };
      if (target) {
        attrs[ATTR_HTTP_ROUTE] = target.route;
        attrs[ATTR_INFERMON_MODEL] = target.name;
        attrs[ATTR_INFERMON_MODEL_VERSION] = target.version;
      }
      if (requestId !== undefined) attrs[ATTR_INFERMON_REQUEST_ID] = requestId;
      server.setAttributes(attrs);
      const client = tracer.startSpan(
        method,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: method,
            [ATTR_SERVER_ADDRESS]: upstreamHost,
            [ATTR_SERVER_PORT]: upstreamPort,
            // the query stays out (it may carry tokens); model and request id are on the parent
            [ATTR_URL_FULL]: origin + basePath + path,
          },
        },
        trace.setSpan(ROOT_CONTEXT, server),
      );
      return new SampledTrace(server, client, sc.traceId, sc.spanId, formatTraceparent(client.spanContext()));
    },
  };
}

class SampledTrace implements RequestTrace {
  private clientOpen = true;
  constructor(
    private readonly server: Span,
    private readonly client: Span,
    readonly traceId: string,
    readonly spanId: string,
    readonly traceparent: string,
  ) {}

  upstreamResponded(status: number): void {
    this.client.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 400) {
      this.client.setAttribute(ATTR_ERROR_TYPE, String(status));
      this.client.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  upstreamEnded(errorType?: string): void {
    if (!this.clientOpen) return;
    this.clientOpen = false;
    if (errorType !== undefined) {
      this.client.setAttribute(ATTR_ERROR_TYPE, errorType);
      this.client.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    this.client.end();
  }

  end(status: number, aborted: boolean): void {
    // the client went away mid-request: the upstream call is cut too
    if (this.clientOpen) this.upstreamEnded(aborted ? "client_closed" : undefined);
    const s = this.server;
    if (status > 0) s.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // server spans are errors for 5xx only (semantic conventions)
    if (status >= 500) {
      s.setAttribute(ATTR_ERROR_TYPE, String(status));
      s.setStatus({ code: SpanStatusCode.ERROR });
    } else if (aborted) {
      s.setAttribute(ATTR_ERROR_TYPE, "client_closed");
      s.setStatus({ code: SpanStatusCode.ERROR, message: "client closed the connection" });
    }
    s.end();
  }
}

function pathOnly(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}
