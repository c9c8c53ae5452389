// The ingest listener: InferenceEvents at POST /v1/events, labels at POST /v1/labels, forwarded
// predictions at POST /v1/predictions, and the CloudEvent side (payload loggers at `/`, KServe's
// logger batches): cloudEventReceiver.ts. Who may send what is checked first (web config); bodies
// are read within the memory budget and applied in slices of the loop (jsonItems.ts), so a large
// body never holds the proxy's requests. It answers once the work is queued; analysis happens later,
// off this path. Labels are applied at once (a map lookup each).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Principal } from "../auth/authenticator.js";
import { BcryptVerifier } from "../auth/bcryptVerifier.js";
import { SecureListener } from "../auth/secureListener.js";
import type { Permission, WebConfig } from "../auth/webConfig.js";
import type { ListenerLimits } from "../config/model.js";
import type { AnalysisTracer } from "../export/analysisTracing.js";
import { type ByteBudget, UNLIMITED } from "../export/byteBudget.js";
import { UNKNOWN_MODEL } from "../export/labelValues.js";
import { DEFAULT_LIMITS } from "../export/listenerLimits.js";
import type { Logger } from "../export/logger.js";
import type { AgentMetrics } from "../export/metrics.js";
import { PREDICTIONS_PATH } from "../forward/forwarder.js";
import type { ForwardMetrics } from "../forward/forwardMetrics.js";
import { emptyCounts, type LabelJoin } from "../labels/labelJoin.js";
import type { ModelRuntime, Work } from "../monitor/analyzer.js";
import { codingsOf, inflate } from "../monitor/decompress.js";
import { type LoopSlicer, type Slice, UNSLICED } from "../monitor/loopSlicer.js";
import { readBody, reply } from "./bodyReader.js";
import { CloudEventReceiver } from "./cloudEventReceiver.js";
import { toEvent } from "./eventsEndpoint.js";
import { MALFORMED, readItems } from "./jsonItems.js";
import { KSERVE_MARSHAL_PATH } from "./kserveBatch.js";
import { receivePredictions } from "./predictionsEndpoint.js";

export interface IngestOptions {
  models: ReadonlyMap<string, ModelRuntime & { version: string }>;
  /** non-blocking hand-off; false when the event was dropped (the callee counts it) */
  submit: (w: Work) => boolean;
  metrics: AgentMetrics;
  /** where labels go (POST /v1/labels, Seldon feedback) */
  labels?: LabelJoin;
  maxBodyBytes: number;
  /** how long a half waits for its other half (default 30 s) */
  pairTtlMs?: number;
  maxPending?: number;
  now?: () => number;
  /** analysis spans for events that carry their producer's trace context (default: none) */
  analysisTracer?: AnalysisTracer;
  /** timeouts and the connection cap (default: DEFAULT_LIMITS) */
  limits?: ListenerLimits;
  /** bytes all bodies may hold at once, shared with the tap (default: unlimited) */
  budget?: ByteBudget;
  /** TLS and who may send what (ingest.web_config_file); undefined: plain HTTP, anyone */
  webConfig?: WebConfig | undefined;
  verifier?: BcryptVerifier;
  log?: Logger;
  /** counts of forwarded predictions received at POST /v1/predictions */
  forwardMetrics?: ForwardMetrics;
  /** reads large bodies in slices of the loop (default: at once) */
  slicer?: LoopSlicer;
}

/** What each path needs a sender to be allowed (permissions in the web config). */
const NEEDS: Record<string, Permission> = {
  "/v1/events": "events",
  "/v1/labels": "labels",
  "/": "cloudevents",
  // KServe's logger batches: CloudEvent halves
  [KSERVE_MARSHAL_PATH]: "cloudevents",
  // another agent's analysed predictions (forward:), with the labels that came with them
  [PREDICTIONS_PATH]: "predictions",
};

export class IngestServer {
  readonly server: Server;
  private readonly now: () => number;
  private readonly budget: ByteBudget;
  private readonly slicer: LoopSlicer;
  private readonly cloudEvents: CloudEventReceiver;
  readonly listener: SecureListener;

  constructor(private readonly o: IngestOptions) {
    this.budget = o.budget ?? UNLIMITED;
    this.now = o.now ?? Date.now;
    this.slicer = o.slicer ?? UNSLICED;
    const rejected = o.metrics.listenerRejected;
    this.listener = new SecureListener({
      role: "ingest",
      key: "ingest.web_config_file",
      webConfig: o.webConfig,
      limits: o.limits ?? DEFAULT_LIMITS,
      verifier: o.verifier ?? new BcryptVerifier(),
      handler: (req, res, principal) => this.handle(req, res, principal),
      onReject: (reason) => rejected.inc({ listener: "ingest", reason }),
      log: o.log,
    });
    this.server = this.listener.server;
    this.cloudEvents = new CloudEventReceiver({
      models: o.models,
      submit: o.submit,
      metrics: o.metrics,
      labels: o.labels,
      pairTtlMs: o.pairTtlMs,
      maxPending: o.maxPending,
      now: this.now,
      analysisTracer: o.analysisTracer,
      refuse: (req, res, why) => this.listener.refuse(req, res, 403, "forbidden", why),
    });
  }

  get pendingHalves(): number {
    return this.cloudEvents.pendingHalves;
  }

  /** Expire unpaired halves now (tests; the sweeper does this periodically). */
  expire(now = this.now()): number {
    return this.cloudEvents.expire(now);
  }

  close(): Promise<void> {
    this.cloudEvents.close();
    this.listener.close();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, principal: Principal | undefined): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const needs = NEEDS[path];
    if (req.method !== "POST" || needs === undefined) {
      reply(res, 404, { error: "not found" });
      return;
    }
    // a sender may be limited to some kinds (a label producer that may not send events); Seldon's
    // feedback events at `/` carry labels, so a label sender may post there too (checked once read)
    const may = principal?.permissions;
    if (may && !may.has(needs) && !(path === "/" && may.has("labels"))) {
      this.listener.refuse(req, res, 403, "forbidden", `${principal?.name} may not send ${needs}`);
      return;
    }
    // a KServe log batch holds many bodies: the events' limit
    const limit = path === "/" ? this.o.maxBodyBytes : Math.max(this.o.maxBodyBytes, 16 * 1024 * 1024);
    readBody(req, res, { limit, budget: this.budget, metrics: this.o.metrics }, (body, release) => {
      const codings = codingsOf(req.headers["content-encoding"]);
      if (!codings) {
        // the body is held (and its bytes counted) until it is read
        void this.dispatch(path, req, res, body, principal).finally(release);
        return;
      }
      // a compressed POST (a log shipper's gzip): decompressed on zlib's thread pool, bounded by
      // the same limit after decompression
      inflate(body, codings, limit)
        .then(
          (r) => {
            if (r.ok) return this.dispatch(path, req, res, r.body, principal);
            if (r.reason === "too_large") {
              this.o.metrics.dropped.inc({ reason: "decompressed_too_large" });
              reply(res, 413, { error: `body over ${limit} bytes after decompression` });
            } else {
              this.o.metrics.parseErrors.inc({ model: UNKNOWN_MODEL, reason: "content_encoding" });
              reply(res, 400, { error: `cannot decompress: ${r.reason} content-encoding` });
            }
          },
          () => reply(res, 500, { error: "decompression failed" }),
        )
        .finally(release);
    });
  }

  /** Read and apply a body, in slices of the loop (a body may hold 20,000 events). */
  private async dispatch(
    path: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    principal: Principal | undefined,
  ): Promise<void> {
    const slice = this.slicer.start();
    try {
      if (path === "/") this.cloudEvents.cloudEvent(req, res, body, principal);
      else if (path === "/v1/labels") await this.labels(res, body, principal?.name ?? "http", slice);
      else if (path === PREDICTIONS_PATH)
        await this.predictions(res, body, principal?.name ?? "forward", slice);
      else if (path === KSERVE_MARSHAL_PATH)
        await this.cloudEvents.kserveBatch(res, body, principal?.name, slice);
      else await this.events(res, body, principal?.name, slice);
    } catch (err) {
      // never crash on input; answer and move on
      if (!res.headersSent) reply(res, 400, { error: (err as Error).message });
    } finally {
      slice.end();
    }
  }

  /** POST /v1/labels: JSON object, array or NDJSON; answers with the count per outcome. */
  private async labels(res: ServerResponse, body: Buffer, source: string, slice: Slice): Promise<void> {
    const join = this.o.labels;
    if (!join) {
      reply(res, 404, { error: "not found" });
      return;
    }
    const counts = emptyCounts();
    await readItems(body, slice, (x) => {
      const outcome = x === MALFORMED ? join.unreadableLabel(source) : join.applyLabelJson(x, source);
      counts[outcome]++;
    });
    reply(res, 202, counts);
  }

  /** POST /v1/predictions (forward:): see predictionsEndpoint.ts */
  private async predictions(res: ServerResponse, body: Buffer, source: string, slice: Slice): Promise<void> {
    const join = this.o.labels;
    if (!join) {
      reply(res, 404, { error: "not found" });
      return;
    }
    const counts = await receivePredictions(
      body,
      slice,
      join,
      this.o.models,
      this.o.forwardMetrics,
      this.now,
      source,
    );
    reply(res, 202, counts);
  }

  private async events(
    res: ServerResponse,
    body: Buffer,
    sender: string | undefined,
    slice: Slice,
  ): Promise<void> {
    const now = this.now();
    let accepted = 0;
    let rejected = 0;
    const m = this.o.metrics;
    await readItems(body, slice, (x) => {
      const r = toEvent(x, now);
      if (!r.ok) {
        // the model named in a bad body is traffic: only a configured name becomes a label
        m.parseErrors.inc({ model: this.o.models.has(r.model) ? r.model : UNKNOWN_MODEL, reason: r.reason });
        rejected++;
        return;
      }
      const model = this.o.models.get(r.event.model);
      if (!model) {
        m.dropped.inc({ reason: "unknown_model" });
        rejected++;
        return;
      }
      const event = { ...r.event, version: r.event.version ?? model.version, id: r.event.id ?? randomUUID() };
      if (this.o.submit({ kind: "event", model, event, source: "http", sender })) accepted++;
      else rejected++;
    });
    reply(res, 202, { accepted, rejected });
  }
}
