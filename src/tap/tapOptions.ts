// What the tap is given (TapOptions) and what it hands out: copies of model-route exchanges and
// request counts to its sink, upstream failures for the log, and sampled requests to a mirror (the
// shadow replayer). The proxy itself is proxy.ts.
import type { IncomingMessage } from "node:http";
import type { Exchange } from "../adapters/inferenceEvent.js";
import type { ListenerLimits } from "../config/model.js";
import type { ByteBudget } from "../export/byteBudget.js";
import type { ListenerRejectReason } from "../export/listenerLimits.js";
import type { RequestTracer } from "./requestTrace.js";
import type { RouteTable, RouteTarget } from "./routeTable.js";

/** The Content-Encoding values of the copied bodies (absent: identity). */
export interface BodyEncodings {
  request?: string | undefined;
  response?: string | undefined;
}

export interface TapSink<T> {
  /**
   * a model route's copies, after the response ended (`encodings` when compressed; a non-2xx
   * exchange carries `failedStatus` and the request only); `heldBytes` of the memory budget go with
   * them, released once they are analysed or dropped
   */
  exchange(target: T, exchange: Exchange, encodings: BodyEncodings | undefined, heldBytes: number): void;
  /** a copy that was not taken: over max_body_bytes, or over the memory budget */
  drop(reason: "body_too_large" | "memory_budget"): void;
  /** every model-route request, for requests_total and the latency histogram (with the sampled
   * request's trace id for an exemplar, and its A/B variant when the target has variants) */
  request(target: T, code: number, seconds: number, traceId: string | undefined, variant?: string): void;
}

/**
 * A model-route request as the tap forwarded it, with the answer the client got: handed to a
 * mirror (the shadow replayer) after the client's response has ended.
 */
export interface Mirrored {
  method: string;
  /** the request target as the client sent it (path and query) */
  path: string;
  /** the headers sent to the upstream, flat [name, value, …] */
  headers: readonly string[];
  /** the request body copy; undefined when it was larger than max_body_bytes */
  body: Buffer | undefined;
  /** the status the client got (502/504 when the tap answered for an unreachable or late upstream) */
  status: number;
  /** the response body copy; undefined when none or larger than max_body_bytes */
  response: Buffer | undefined;
  requestEncoding: string | undefined;
  responseEncoding: string | undefined;
  requestJsonLength: number | undefined;
  responseJsonLength: number | undefined;
  requestId: string;
  /** how long the client waited for the whole answer */
  seconds: number;
}

/** Replays of model-route requests elsewhere (models[].shadow); never blocks the tap. */
export interface TapMirror<T> {
  /** this request is to be replayed (asked once per model-route request, after its response ended) */
  sampled(target: T): boolean;
  offer(target: T, m: Mirrored): void;
}

export interface TapOptions<T extends RouteTarget> {
  upstream: string;
  maxBodyBytes: number;
  timeoutMs: number;
  routes: RouteTable<T>;
  sink: TapSink<T>;
  /** keep-alive connections to the upstream (default 128) */
  connections?: number;
  /** an upstream failure answered with 502/504 (for the log) */
  onUpstreamError?: (e: UpstreamError) => void;
  /** spans at the tap's seams (default: none) */
  tracer?: RequestTracer<T>;
  /** timeouts and the connection cap of the listener (default: DEFAULT_LIMITS) */
  limits?: ListenerLimits;
  /** bytes bodies and copies may hold at once, shared with the ingest (default: unlimited) */
  budget?: ByteBudget;
  /** a connection or request the listener refused (max_connections, read_timeout, …) */
  onReject?: (reason: ListenerRejectReason) => void;
  /** the A/B variant of a model-route request (models[].variants), read once from its headers or path */
  variant?: (target: T, req: IncomingMessage) => string | undefined;
  /** replays model-route requests after their response ended (the shadow); absent: none */
  mirror?: TapMirror<T>;
}

export interface UpstreamError {
  status: 502 | 504;
  method: string;
  path: string;
  requestId: string | undefined;
  error: string;
  /** the request's trace (the tap's span when sampled, else the client's traceparent) */
  traceId: string | undefined;
  spanId: string | undefined;
}
