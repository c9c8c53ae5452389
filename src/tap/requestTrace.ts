// The tap's tracing seam: the proxy calls these at its own points (request read, upstream answered
// or failed, response finished) instead of the SDK's generic HTTP instrumentation wrapping every
// socket. Tracing off is NO_TRACING: the same calls, doing nothing (no `if (tracer)` in the proxy).
import type { IncomingMessage } from "node:http";

export interface RequestTrace {
  /** the traceparent to send upstream; undefined leaves the client's (if any) as it was sent */
  readonly traceparent: string | undefined;
  /** the server span's ids when the request is sampled (exemplars, logs) */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** the upstream's response head arrived */
  upstreamResponded(status: number): void;
  /** the upstream call ended (body complete, or failed with `errorType`) */
  upstreamEnded(errorType?: string): void;
  /** the client's response is finished (or the client went away) */
  end(status: number, aborted: boolean): void;
}

export interface RequestTracer<T> {
  /** at the request's start; `traceparent`/`tracestate` are the client's headers, when sent */
  start(
    req: IncomingMessage,
    target: T | undefined,
    requestId: string | undefined,
    traceparent: string | undefined,
    tracestate: string | undefined,
  ): RequestTrace;
}

const nothing = (): void => {};

export const NO_REQUEST_TRACE: RequestTrace = {
  traceparent: undefined,
  traceId: undefined,
  spanId: undefined,
  upstreamResponded: nothing,
  upstreamEnded: nothing,
  end: nothing,
};

export const NO_TRACING: RequestTracer<never> = { start: () => NO_REQUEST_TRACE };
