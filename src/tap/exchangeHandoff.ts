// What the tap knows of one exchange (TapContext), and what it hands on once the response has
// ended: the copies of both bodies to analysis (the sink) and, for a sampled model, the exchange
// to the shadow replayer (the mirror). Called from proxy.ts after the client's response.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BodyCopy } from "./bodyCopy.js";
import type { clientResponseHeaders, RequestHeaderFacts } from "./hopByHop.js";
import type { RequestTrace } from "./requestTrace.js";
import type { RouteTarget } from "./routeTable.js";
import type { Mirrored, TapOptions } from "./tapOptions.js";

export interface TapContext<T> {
  req: IncomingMessage;
  res: ServerResponse;
  target: T | undefined;
  requestId: string | undefined;
  generatedId: string | undefined;
  start: number;
  headers: string[];
  facts: RequestHeaderFacts;
  reqCopy: Buffer | undefined;
  streamCopy?: BodyCopy | undefined;
  /** undici's abort for the upstream request, once it is dispatched */
  abort: ((err?: Error) => void) | undefined;
  trace: RequestTrace;
  /** the status answered to the client (0 until known) */
  status: number;
  /** bytes of the memory budget held for the request body read whole */
  held: number;
  /** the held bytes (and the copies') were given back, or handed to analysis */
  released: boolean;
  resCopy: BodyCopy | undefined;
  /** no copy is taken: the memory budget refused the body */
  refused: "memory_budget" | undefined;
  /** the request's A/B variant (models with variants) */
  variant: string | undefined;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;

/** [trace id, span id] for a log line: the tap's span when sampled, else the client's traceparent
 * (its span is the tap's parent), so the line still joins the trace with tracing off. */
export function traceIds(ctx: TapContext<unknown>): [string, string] | undefined {
  const t = ctx.trace;
  if (t.traceId !== undefined) return [t.traceId, t.spanId as string];
  const m = ctx.facts.traceparent === undefined ? null : TRACEPARENT.exec(ctx.facts.traceparent);
  return m ? [m[1] as string, m[2] as string] : undefined;
}

/** The exchange as the shadow replayer gets it. */
export function mirroredExchange<T>(
  ctx: TapContext<T>,
  status: number,
  seconds: number,
  body: Buffer | undefined,
  response: Buffer | undefined,
  facts: ReturnType<typeof clientResponseHeaders> | undefined,
): Mirrored {
  return {
    method: ctx.req.method ?? "POST",
    path: ctx.req.url ?? "/",
    headers: ctx.headers,
    body,
    status,
    response,
    requestEncoding: ctx.facts.contentEncoding,
    responseEncoding: facts?.contentEncoding,
    requestJsonLength: ctx.facts.jsonLength,
    responseJsonLength: facts?.jsonLength,
    requestId: ctx.requestId as string,
    seconds,
  };
}

/**
 * Hand a finished exchange on: its request count and latency, the copies of both bodies to
 * analysis (with the bytes they hold), and the exchange to the shadow when the model is sampled.
 */
export function handOff<T extends RouteTarget>(
  opts: TapOptions<T>,
  ctx: TapContext<T>,
  status: number,
  facts: ReturnType<typeof clientResponseHeaders> | undefined,
  resCopy: BodyCopy | undefined,
): void {
  const target = ctx.target as T;
  const sink = opts.sink;
  const seconds = (performance.now() - ctx.start) / 1000;
  sink.request(target, status, seconds, ctx.trace.traceId, ctx.variant);
  // a failed request's inputs are analysed too (only for data quality: they may be what broke the
  // model); its error body is not a prediction
  const failed = status < 200 || status >= 300;
  const heldBytes = ctx.held + (ctx.streamCopy?.held ?? 0) + (resCopy?.held ?? 0);
  const request = ctx.streamCopy ? ctx.streamCopy.take() : ctx.reqCopy;
  const mirror = opts.mirror;
  const mirrored = mirror?.sampled(target) === true;
  const copy = failed && !mirrored ? undefined : resCopy?.take();
  // the shadow gets the exchange whatever its status (it compares both sides' error rates)
  if (mirrored) mirror?.offer(target, mirroredExchange(ctx, status, seconds, request, copy, facts));
  const response = failed ? undefined : copy;
  if (failed && request === undefined) return; // no body (a GET) or too large: nothing to read
  if (request === undefined || (!failed && response === undefined)) {
    // a body the budget refused was counted when it was refused
    if (!ctx.refused) sink.drop(ctx.streamCopy?.abandoned ?? resCopy?.abandoned ?? "body_too_large");
    return;
  }
  // the bytes go with the copies; when the response already closed they were given back then
  const handed = ctx.released ? 0 : heldBytes;
  ctx.released = true;
  const reqEnc = ctx.facts.contentEncoding;
  const resEnc = facts?.contentEncoding;
  const encodings =
    reqEnc !== undefined || resEnc !== undefined ? { request: reqEnc, response: resEnc } : undefined;
  sink.exchange(
    target,
    {
      request,
      response,
      requestJsonLength: ctx.facts.jsonLength,
      responseJsonLength: facts?.jsonLength,
      requestId: ctx.requestId as string,
      time: Date.now(),
      ...(failed && { failedStatus: status }),
      ...(ctx.trace.traceId !== undefined && {
        trace: { traceId: ctx.trace.traceId, spanId: ctx.trace.spanId as string },
      }),
      ...(ctx.variant !== undefined && { variant: ctx.variant }),
    },
    encodings,
    handed,
  );
}
