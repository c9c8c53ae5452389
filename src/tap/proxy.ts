// The sidecar reverse proxy. Forwards every request to the upstream over a keep-alive pool, writes
// the response back chunk by chunk as it arrives (SSE and chunked responses are not buffered), and
// for model routes hands copies of both bodies to a sink. The sink is called after the response
// has ended and must not block (the agent's sink is a non-blocking bounded-queue offer).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Duplex, Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { Pool } from "undici";
import { type ByteBudget, UNLIMITED } from "../export/byteBudget.js";
import { applyLimits, DEFAULT_LIMITS, serverOptions } from "../export/listenerLimits.js";
import { BodyCopy } from "./bodyCopy.js";
import { handOff, mirroredExchange, type TapContext, traceIds } from "./exchangeHandoff.js";
import { clientResponseHeaders, upstreamRequestHeaders } from "./hopByHop.js";
import { NO_TRACING, type RequestTracer } from "./requestTrace.js";
import type { RouteTarget } from "./routeTable.js";
import type { TapOptions } from "./tapOptions.js";
import { isWebSocket, replayWithoutUpgrade, UpgradeTunnels } from "./upgrade.js";

export type { BodyEncodings, Mirrored, TapMirror, TapOptions, TapSink, UpstreamError } from "./tapOptions.js";

const JSON_HEADERS = ["content-type", "application/json"];

export class Tap<T extends RouteTarget> {
  readonly server: Server;
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly tunnels: UpgradeTunnels;
  private readonly tracer: RequestTracer<T>;
  /** `Basic …` from the upstream URL's userinfo (never part of the origin the pool connects to) */
  private readonly upstreamAuthorization: string | undefined;
  private readonly budget: ByteBudget;
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(private readonly opts: TapOptions<T>) {
    const u = new URL(opts.upstream);
    this.origin = u.origin;
    this.basePath = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
    this.upstreamAuthorization = basicAuthorization(u);
    this.tracer = opts.tracer ?? (NO_TRACING as RequestTracer<T>);
    this.pool = new Pool(this.origin, {
      connections: opts.connections ?? 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    this.budget = opts.budget ?? UNLIMITED;
    const limits = opts.limits ?? DEFAULT_LIMITS;
    this.server = createServer({ noDelay: true, ...serverOptions(limits) }, (req, res) =>
      this.handle(req, res),
    );
    applyLimits(this.server, limits, opts.onReject);
    this.tunnels = new UpgradeTunnels(
      {
        host: u.hostname.replace(/^\[|\]$/g, ""),
        port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
        basePath: this.basePath,
        timeoutMs: opts.timeoutMs,
        tls: u.protocol === "https:",
        authorization: this.upstreamAuthorization,
      },
      (status, req, error) =>
        opts.onUpstreamError?.({
          status,
          method: req.method ?? "GET",
          path: pathOnly(req.url),
          requestId: undefined,
          error,
          traceId: undefined,
          spanId: undefined,
        }),
    );
    // Node hands every request with `Connection: upgrade` to this listener. WebSocket handshakes are
    // tunnelled; any other upgrade (h2c from `curl --http2`, say) is one a proxy may ignore, so the
    // request is replayed to this server without it and proxied, monitored, like any other.
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (isWebSocket(req)) this.tunnels.handle(req, socket, head);
      else this.server.emit("connection", replayWithoutUpgrade(req, socket as Socket, head));
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Stop accepting, let in-flight requests finish within `graceMs`, then close everything (once). */
  close(graceMs: number): Promise<void> {
    this.closing ??= this.closeOnce(graceMs);
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private async closeOnce(graceMs: number): Promise<void> {
    const closed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => {
          this.drained = resolve;
        }),
        new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    this.server.closeAllConnections();
    this.tunnels.closeAll();
    await closed;
    await this.pool.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    // the upstream's Date header is the one to pass back; do not add our own
    res.sendDate = false;
    const target = this.opts.routes.match(req.method, req.url);
    const start = target ? performance.now() : 0;
    const facts = upstreamRequestHeaders(req.rawHeaders, {
      clientIp: req.socket.remoteAddress,
      proto: "http",
      upstreamAuthorization: this.upstreamAuthorization,
    });
    const headers = facts.headers;
    let requestId: string | undefined;
    let generatedId: string | undefined;
    if (target) {
      requestId = facts.requestId;
      if (requestId === undefined) {
        requestId = generatedId = randomUUID();
        headers.push("x-request-id", generatedId);
      }
    }
    const trace = this.tracer.start(req, target, requestId, facts.traceparent, facts.tracestate);
    const tp = trace.traceparent;
    if (tp !== undefined) {
      if (facts.traceparentAt >= 0) headers[facts.traceparentAt + 1] = tp;
      else headers.push("traceparent", tp);
    }
    const length = facts.contentLength;
    const hasBody = length !== undefined ? length > 0 : facts.chunked;
    const ctx: TapContext<T> = {
      req,
      res,
      target,
      requestId,
      generatedId,
      start,
      headers,
      facts,
      reqCopy: undefined,
      abort: undefined,
      trace,
      status: 0,
      held: 0,
      released: false,
      resCopy: undefined,
      refused: undefined,
      variant: target && this.opts.variant ? this.opts.variant(target, req) : undefined,
    };
    // one listener per response: the in-flight count, aborting the upstream request when the
    // client went away before the response was finished, and the bytes held for it given back
    // unless its copies went to analysis
    res.once("close", () => {
      const aborted = !res.writableFinished;
      if (aborted) ctx.abort?.(new Error("client closed"));
      trace.end(ctx.status, aborted);
      this.release(ctx);
      this.done();
    });
    const max = this.opts.maxBodyBytes;
    const small = length !== undefined && length >= 0 && length <= max;
    if (!hasBody) {
      this.forward(ctx, null);
    } else if (small && this.budget.take(length)) {
      // small bodies (the inference case): read whole, send with one write
      ctx.held = length;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.once("end", () => {
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        if (target) ctx.reqCopy = body;
        this.forward(ctx, body);
      });
      req.once("error", () => res.destroy());
    } else {
      // large or unknown length, or over the memory budget: streamed through, copied (up to the
      // limit, within the budget) only when it may be analysed
      if (small && target) {
        ctx.refused = "memory_budget";
        this.opts.sink.drop("memory_budget");
      }
      const copy = target && !small ? new BodyCopy(max, this.budget) : undefined;
      ctx.streamCopy = copy;
      this.forward(ctx, Readable.from(streamBody(req, copy), { objectMode: false }));
    }
  }

  /** Give back what a request held, unless its copies were handed to analysis (once). */
  private release(ctx: TapContext<T>): void {
    if (ctx.released) return;
    ctx.released = true;
    this.budget.release(ctx.held + (ctx.streamCopy?.held ?? 0) + (ctx.resCopy?.held ?? 0));
  }

  private readonly done = (): void => {
    this.inFlight--;
    if (this.inFlight === 0 && this.drained) this.drained();
  };

  private forward(ctx: TapContext<T>, body: Buffer | Readable | null): void {
    const { req, res } = ctx;
    const opts = this.opts;
    const resCopy = ctx.target && !ctx.refused ? new BodyCopy(opts.maxBodyBytes, this.budget) : undefined;
    ctx.resCopy = resCopy;
    let status = 0;
    let facts: ReturnType<typeof clientResponseHeaders> | undefined;

    // The callback ("legacy") handler API: undici hands it the raw header list directly; the
    // controller API wraps every response in an extra object and parses the headers into one
    // (measured: see docs/adr/0003-agent-runtime.md).
    let remaining = -1;
    let onDrain: () => void = () => {};
    const handler = {
      onConnect(a: (err?: Error) => void) {
        ctx.abort = a;
      },
      onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
        if (statusCode < 200) return true; // 1xx: the client's server answers 100-continue itself
        status = ctx.status = statusCode;
        ctx.trace.upstreamResponded(statusCode);
        facts = clientResponseHeaders(raw);
        const out = facts.headers;
        if (ctx.requestId !== undefined && !facts.hasRequestId) out.push("x-request-id", ctx.requestId);
        res.writeHead(statusCode, statusText || undefined, out);
        remaining = facts.contentLength ?? -1;
        // a response of unknown length (SSE, chunked) is sent on now, so its first event does not
        // wait for the first chunk; a sized one goes out with its body in one write
        if (remaining < 0) res.flushHeaders();
        onDrain = resume;
        return true;
      },
      onData(chunk: Buffer): boolean {
        resCopy?.add(chunk);
        if (remaining === chunk.length) {
          // the whole (rest of the) body: headers and body leave in one write
          remaining = 0;
          res.end(chunk);
          return true;
        }
        if (remaining > 0) remaining -= chunk.length;
        if (res.write(chunk)) return true;
        // the client reads slower than the upstream sends: pause the upstream until it drains
        res.once("drain", onDrain);
        return false;
      },
      onComplete: () => {
        ctx.trace.upstreamEnded();
        if (!res.writableEnded) res.end();
        if (ctx.target) handOff(opts, ctx, status, facts, resCopy);
      },
      onError: (err: Error) => {
        const code = (err as { code?: string }).code ?? "";
        ctx.trace.upstreamEnded(code || err.name);
        if (res.headersSent || res.destroyed) {
          // mid-body failure, or the client went away: nothing to answer
          res.destroy(err);
          return;
        }
        const timeout = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
        status = ctx.status = timeout ? 504 : 502;
        const message = timeout
          ? `upstream did not answer within ${opts.timeoutMs} ms`
          : `upstream unreachable: ${code || err.message}`;
        const out = [...JSON_HEADERS];
        if (ctx.requestId !== undefined) out.push("x-request-id", ctx.requestId);
        res.writeHead(status, out);
        res.end(JSON.stringify({ error: message, status }));
        if (ctx.target) {
          const seconds = (performance.now() - ctx.start) / 1000;
          opts.sink.request(ctx.target, status, seconds, ctx.trace.traceId, ctx.variant);
          // the shadow sees the request too: its error rate is compared on the same requests
          if (opts.mirror?.sampled(ctx.target) && req.complete)
            opts.mirror.offer(
              ctx.target,
              mirroredExchange(
                ctx,
                status,
                seconds,
                ctx.streamCopy ? ctx.streamCopy.take() : ctx.reqCopy,
                undefined,
                undefined,
              ),
            );
        }
        const ids = traceIds(ctx);
        opts.onUpstreamError?.({
          status: status as 502 | 504,
          method: req.method ?? "GET",
          path: pathOnly(req.url),
          requestId: ctx.requestId,
          error: message,
          traceId: ids?.[0],
          spanId: ids?.[1],
        });
        // the client may still be sending a body the upstream never read
        if (!req.complete) req.resume();
      },
    };
    this.pool.dispatch(
      {
        path: this.basePath + (req.url ?? "/"),
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        headers: ctx.headers,
        body,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      },
      handler as unknown as Dispatcher.DispatchHandler,
    );
  }
}

async function* streamBody(req: IncomingMessage, copy: BodyCopy | undefined): AsyncIterable<Buffer> {
  for await (const chunk of req) {
    copy?.add(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/** `Basic base64(user:password)` from a URL's userinfo (percent-decoded), or undefined. */
export function basicAuthorization(u: URL): string | undefined {
  if (u.username === "" && u.password === "") return undefined;
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/** The path without its query (queries may carry tokens; they stay out of the log). */
function pathOnly(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}
