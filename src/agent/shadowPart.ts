// The shadow replayer (models[].shadow): after the tap has sent the client its response, a sampled
// share of the model's requests is replayed to the shadow upstream and the two answers are compared
// request by request. Everything here is off the request path and bounded: at most max_in_flight
// shadow requests per model (their own undici pool, never the tap's), at most queue_size waiting;
// a replay that does not fit, or arrives while the event loop is saturated, is dropped and counted.
// Nothing is ever sent to the primary again, and no shadow answer reaches a client.
import type { Dispatcher } from "undici";
import { Pool } from "undici";
import type { Exchange } from "../adapters/inferenceEvent.js";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { LogThrottle } from "../export/logThrottle.js";
import type { ShadowDropReason, ShadowMetrics } from "../export/shadowMetrics.js";
import { codingsOf, inflate } from "../monitor/decompress.js";
import { type PredictionReader, predictionReader } from "../monitor/predictionReading.js";
import { compareAnswers } from "../shadow/compare.js";
import { shadowHeaders } from "../shadow/shadowHeaders.js";
import { ShadowModel } from "../shadow/shadowModel.js";
import type { BinLayout } from "../stats/binLayout.js";
import type { Mirrored, TapMirror } from "../tap/proxy.js";
import type { Runtime } from "./runtime.js";

interface Target {
  runtime: Runtime;
  stats: ShadowModel;
  pool: Pool;
  basePath: string;
  sample: number;
  timeoutMs: number;
  maxInFlight: number;
  queueSize: number;
  tolerance: { absolute: number; relative: number };
  read: PredictionReader;
  queue: Mirrored[];
  /** index of the oldest queued replay in `queue` (a ring without shifting) */
  head: number;
  inFlight: number;
  /** bytes of request and response copies held by queued replays */
  queuedBytes: number;
  /** a shadow that cannot be reached is not tried again before this time (performance.now()) */
  downUntil: number;
  /** the current back-off, ms (0 while the shadow answers) */
  backoffMs: number;
}

/**
 * Back-off after a shadow refused or dropped a connection: a failed connection costs the agent
 * ~0.4 ms of CPU (undici's error path; measured at 400 failures/s), so a shadow that is down is
 * probed once per back-off (1 s, doubling to 30 s) instead of once per sampled request.
 */
const BACKOFF_MIN_MS = 1000;
/**
 * Copies queued replays may hold per model: each holds up to two max_body_bytes copies, so
 * queue_size alone could pin gigabytes behind a slow shadow; past this a replay is `queue_full`.
 */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const BACKOFF_MAX_MS = 30_000;

export interface ShadowOptions {
  runtimes: ReadonlyMap<string, Runtime>;
  /** each model's reference layout, by name (the shadow's prediction drift) */
  layouts: ReadonlyMap<string, BinLayout | undefined>;
  metrics: ShadowMetrics;
  log: Logger;
  throttle: LogThrottle;
  /** the event loop was saturated in the last window (analysis at its floor): replays are shed */
  saturated: () => boolean;
  now: () => number;
  /** the most bytes of a shadow answer read (tap.max_body_bytes) */
  maxBodyBytes: number;
}

export class ShadowReplayer implements TapMirror<Runtime> {
  private readonly targets = new Map<Runtime, Target>();
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: ShadowOptions) {
    for (const runtime of o.runtimes.values()) {
      const cfg = runtime.model.shadow;
      if (!cfg) continue;
      const u = new URL(cfg.upstream);
      this.targets.set(runtime, {
        runtime,
        stats: new ShadowModel(runtime.model, o.layouts.get(runtime.name), o.metrics),
        pool: new Pool(u.origin, {
          connections: cfg.maxInFlight,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          headersTimeout: cfg.timeoutMs,
          bodyTimeout: cfg.timeoutMs,
        }),
        basePath: u.pathname === "/" ? "" : u.pathname.replace(/\/$/, ""),
        sample: cfg.sample,
        timeoutMs: cfg.timeoutMs,
        maxInFlight: cfg.maxInFlight,
        queueSize: cfg.queueSize,
        tolerance: cfg.tolerance,
        read: predictionReader(runtime.model),
        queue: [],
        head: 0,
        inFlight: 0,
        queuedBytes: 0,
        downUntil: 0,
        backoffMs: 0,
      });
    }
  }

  /** Whether any model has a shadow. */
  get enabled(): boolean {
    return this.targets.size > 0;
  }

  /** The tap asks once per model-route request, after its response ended: replay this one? */
  sampled(runtime: Runtime): boolean {
    const t = this.targets.get(runtime);
    return t !== undefined && !this.stopping && (t.sample >= 1 || (t.sample > 0 && Math.random() < t.sample));
  }

  /** A sampled request, as the tap forwarded it (never blocks: a replay that does not fit is dropped). */
  offer(runtime: Runtime, m: Mirrored): void {
    const t = this.targets.get(runtime);
    if (!t) return;
    const queued = t.queue.length - t.head;
    const free = t.inFlight < t.maxInFlight && queued === 0;
    if (this.stopping) this.drop(t, "shutdown");
    else if (m.body === undefined) this.drop(t, "body_too_large");
    else if (t.downUntil > 0 && performance.now() < t.downUntil) this.drop(t, "unreachable");
    // while the proxy needs the whole event loop, replays are not queued up behind a busy shadow
    // (as analysis sheds its backlog): only a free slot takes one
    else if (!free && this.o.saturated()) this.drop(t, "overload");
    else if (free) {
      t.inFlight++;
      // after this turn of the loop: the client's response is written before the replay starts
      setImmediate(() => void this.send(t, m));
    } else if (queued < t.queueSize && t.queuedBytes + bytesOf(m) <= MAX_QUEUED_BYTES) {
      t.queue.push(m);
      t.queuedBytes += bytesOf(m);
    } else this.drop(t, "queue_full");
  }

  /** Recompute the shadow gauges as of `now` (before each scrape). */
  refresh(now: number): void {
    for (const t of this.targets.values()) t.stats.refresh(now, t.inFlight, t.queue.length - t.head);
  }

  /** Resolves once no replay is queued or in flight (tests). */
  idle(): Promise<void> {
    if (this.busy() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop taking replays; drop what waits; let those in flight finish within `graceMs`; close. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.targets.values()) {
      for (let i = t.head; i < t.queue.length; i++) this.drop(t, "shutdown");
      t.queue = [];
      t.head = 0;
      t.queuedBytes = 0;
    }
    if (this.busy() > 0)
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    await Promise.all([...this.targets.values()].map((t) => t.pool.destroy().catch(() => {})));
    this.settle();
  }

  private busy(): number {
    let n = 0;
    for (const t of this.targets.values()) n += t.inFlight + t.queue.length - t.head;
    return n;
  }

  private drop(t: Target, reason: ShadowDropReason): void {
    t.stats.dropped(reason);
    const th = this.o.throttle.take(`shadow:${reason}`);
    if (th) this.o.log.warn({ model: t.runtime.name, reason, suppressed: th.suppressed }, LOG.shadowDropped);
  }

  private async send(t: Target, m: Mirrored): Promise<void> {
    const start = performance.now();
    let status = 0;
    let body: Buffer | undefined;
    let tooLarge = false;
    let encoding: string | undefined;
    let jsonLength: number | undefined;
    try {
      const res = await t.pool.request({
        path: t.basePath + m.path,
        method: m.method as Dispatcher.HttpMethod,
        headers: shadowHeaders(m.headers),
        body: m.body,
        headersTimeout: t.timeoutMs,
        bodyTimeout: t.timeoutMs,
        signal: AbortSignal.timeout(t.timeoutMs),
      });
      status = res.statusCode;
      t.backoffMs = 0;
      t.downUntil = 0;
      encoding = headerOf(res.headers["content-encoding"]);
      const ihcl = Number(headerOf(res.headers["inference-header-content-length"]));
      jsonLength = Number.isInteger(ihcl) && ihcl >= 0 ? ihcl : undefined;
      const read = await readCapped(res.body, this.o.maxBodyBytes);
      body = read;
      tooLarge = read === undefined;
    } catch (err) {
      status = isTimeout(err) ? 504 : 502;
      if (status === 502 && isConnectionError(err)) {
        t.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, t.backoffMs * 2));
        t.downUntil = performance.now() + t.backoffMs;
      }
      const th = this.o.throttle.take(`shadow:failed:${t.runtime.name}:${status}`);
      if (th)
        this.o.log.warn(
          {
            model: t.runtime.name,
            status,
            error: (err as { code?: string }).code ?? (err as Error).name,
            request_id: m.requestId,
            suppressed: th.suppressed,
          },
          LOG.shadowFailed,
        );
    }
    try {
      const s = t.stats;
      s.answered("primary", m.status, m.seconds);
      s.answered("shadow", status, (performance.now() - start) / 1000);
      if (m.status < 200 || m.status >= 300) s.skipped("primary_failed");
      else if (status < 200 || status >= 300) s.skipped("shadow_failed");
      else if (tooLarge || m.response === undefined) s.skipped("response_too_large");
      else await this.compare(t, m, body as Buffer, encoding, jsonLength);
    } catch {
      t.stats.skipped("unreadable");
    } finally {
      t.inFlight--;
      this.next(t);
    }
  }

  private async compare(
    t: Target,
    m: Mirrored,
    shadowBody: Buffer,
    shadowEncoding: string | undefined,
    shadowJsonLength: number | undefined,
  ): Promise<void> {
    const max = this.o.maxBodyBytes;
    const plain = async (b: Buffer, enc: string | undefined): Promise<Buffer | undefined> => {
      const codings = codingsOf(enc);
      if (!codings) return b;
      const r = await inflate(b, codings, max);
      return r.ok ? r.body : undefined;
    };
    const [request, primary, shadow] = await Promise.all([
      plain(m.body as Buffer, m.requestEncoding),
      plain(m.response as Buffer, m.responseEncoding),
      plain(shadowBody, shadowEncoding),
    ]);
    if (!request || !primary || !shadow) {
      t.stats.skipped("unreadable");
      return;
    }
    const now = this.o.now();
    const exchange = (response: Buffer, responseJsonLength: number | undefined): Exchange => ({
      request,
      response,
      requestJsonLength: m.requestJsonLength,
      responseJsonLength,
      requestId: m.requestId,
      time: now,
    });
    const adapter = t.runtime.adapter;
    const c = compareAnswers(
      t.runtime.model,
      t.read,
      t.tolerance,
      adapter.decode(exchange(primary, m.responseJsonLength)),
      adapter.decode(exchange(shadow, shadowJsonLength)),
    );
    t.stats.compared(c, now);
  }

  private next(t: Target): void {
    while (!this.stopping && t.inFlight < t.maxInFlight && t.head < t.queue.length) {
      const m = t.queue[t.head] as Mirrored;
      t.queue[t.head] = undefined as unknown as Mirrored;
      t.head++;
      t.inFlight++;
      t.queuedBytes -= bytesOf(m);
      void this.send(t, m);
    }
    // compact the ring once it is drained (or mostly consumed)
    if (t.head === t.queue.length) {
      t.queue = [];
      t.head = 0;
    } else if (t.head > 1024 && t.head * 2 > t.queue.length) {
      t.queue = t.queue.slice(t.head);
      t.head = 0;
    }
    this.settle();
  }

  private settle(): void {
    if (this.idleWaiters.length === 0 || this.busy() > 0) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of ws) f();
  }
}

const bytesOf = (m: Mirrored): number => (m.body?.length ?? 0) + (m.response?.length ?? 0);

const headerOf = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The shadow could not be reached at all (not a slow or failing answer). */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? "";
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "EHOSTUNREACH" ||
    code === "ENETUNREACH" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "UND_ERR_SOCKET" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  );
}

function isTimeout(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return (
    e.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e.code === "UND_ERR_BODY_TIMEOUT" ||
    e.name === "TimeoutError" ||
    e.name === "AbortError"
  );
}

/** The body, or undefined (and the stream destroyed) once it passes `max` bytes. */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  max: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(c);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}
