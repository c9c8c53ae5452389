// The ingest listener: CloudEvents from KServe's and Seldon's payload loggers at `/` (request and
// response halves paired by (model or source, ce-requestid or ce-id): pairing.ts; Seldon feedback
// events carry labels), InferenceEvents at POST /v1/events, labels at POST /v1/labels. It answers
// as soon as the work is queued; analysis happens later, off this path. Labels are applied at once
// (a map lookup each).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { isObject } from "../adapters/jsonBody.js";
import type { Principal } from "../auth/authenticator.js";
import { BcryptVerifier } from "../auth/bcryptVerifier.js";
import { SecureListener } from "../auth/secureListener.js";
import type { Permission, WebConfig } from "../auth/webConfig.js";
import type { ListenerLimits } from "../config/model.js";
import { type AnalysisTracer, NO_ANALYSIS_TRACING } from "../export/analysisTracing.js";
import { type ByteBudget, UNLIMITED } from "../export/byteBudget.js";
import { UNKNOWN_MODEL } from "../export/labelValues.js";
import { DEFAULT_LIMITS } from "../export/listenerLimits.js";
import type { Logger } from "../export/logger.js";
import type { AgentMetrics } from "../export/metrics.js";
import { linkFromHeaders } from "../export/traceContext.js";
import { PREDICTIONS_PATH } from "../forward/forwarder.js";
import type { ForwardMetrics } from "../forward/forwardMetrics.js";
import { emptyCounts, type LabelJoin } from "../labels/labelJoin.js";
import { MALFORMED, readJsonItems } from "../labels/labelsEndpoint.js";
import { readFeedback, SELDON_FEEDBACK } from "../labels/seldonFeedback.js";
import type { ModelRuntime, Work } from "../monitor/analyzer.js";
import { codingsOf, inflate } from "../monitor/decompress.js";
import { readBody, reply } from "./bodyReader.js";
import { halfOf, modelHint, pairId, readCloudEvent } from "./cloudEvents.js";
import { readEvents } from "./eventsEndpoint.js";
import { KSERVE_MARSHAL_PATH, readLogBatch } from "./kserveBatch.js";
import { type Pair, Pairing } from "./pairing.js";
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

type Runtime = ModelRuntime & { version: string };

export class IngestServer {
  readonly server: Server;
  private readonly pairing: Pairing<Runtime>;
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly budget: ByteBudget;
  readonly listener: SecureListener;

  constructor(private readonly o: IngestOptions) {
    this.budget = o.budget ?? UNLIMITED;
    this.now = o.now ?? Date.now;
    const ttl = o.pairTtlMs ?? 30_000;
    const unpaired = o.metrics.dropped.labels({ reason: "unpaired" });
    const conflicts = o.metrics.pairConflicts.labels({});
    this.pairing = new Pairing(ttl, o.maxPending ?? 100_000, {
      unpaired: (n) => unpaired.inc(n),
      conflict: () => conflicts.inc(),
    });
    this.sweeper = setInterval(() => this.pairing.expire(this.now()), Math.max(100, ttl / 4)).unref();
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
  }

  get pendingHalves(): number {
    return this.pairing.size;
  }

  /** Expire unpaired halves now (tests; the sweeper does this periodically). */
  expire(now = this.now()): number {
    return this.pairing.expire(now);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
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
        this.dispatch(path, req, res, body, principal);
        release();
        return;
      }
      // a compressed POST (a log shipper's gzip): decompressed on zlib's thread pool, bounded by
      // the same limit after decompression
      inflate(body, codings, limit)
        .then(
          (r) => {
            if (r.ok) this.dispatch(path, req, res, r.body, principal);
            else if (r.reason === "too_large") {
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

  private dispatch(
    path: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    principal: Principal | undefined,
  ): void {
    try {
      if (path === "/") this.cloudEvent(req, res, body, principal);
      else if (path === "/v1/labels") this.labels(res, body, principal?.name ?? "http");
      else if (path === PREDICTIONS_PATH) this.predictions(res, body, principal?.name ?? "forward");
      else if (path === KSERVE_MARSHAL_PATH) this.kserveBatch(res, body, principal?.name);
      else this.events(res, body, principal?.name);
    } catch (err) {
      // never crash on input; answer and move on
      reply(res, 400, { error: (err as Error).message });
    }
  }

  private cloudEvent(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    principal: Principal | undefined,
  ): void {
    const r = readCloudEvent(req.headers, body);
    if (!r.ok) {
      this.o.metrics.parseErrors.inc({ model: UNKNOWN_MODEL, reason: r.reason });
      reply(res, 400, { error: r.reason });
      return;
    }
    const e = r.event;
    const may = principal?.permissions;
    if (may && !may.has(e.type === SELDON_FEEDBACK ? "labels" : "cloudevents")) {
      this.listener.refuse(req, res, 403, "forbidden", `${principal?.name} may not send ${e.type}`);
      return;
    }
    if (e.type === SELDON_FEEDBACK) {
      this.feedback(res, e.data, modelHint(e), e.extensions.requestid, principal?.name ?? "cloudevents");
      return;
    }
    const half = halfOf(e.type);
    if (!half) {
      this.o.metrics.dropped.inc({ reason: "unknown_type" });
      reply(res, 202, { accepted: false, reason: "unknown_type" });
      return;
    }
    if (e.data.length === 0) {
      // KServe also logs non-inference calls (health GETs): nothing to analyse, and not an error
      this.o.metrics.ignored.inc({ reason: "empty_body" });
      reply(res, 202, { accepted: false, reason: "empty_body" });
      return;
    }
    const hint = modelHint(e);
    const model = this.resolveModel(hint, e.data);
    if (!model && hint !== undefined) {
      this.o.metrics.dropped.inc({ reason: "unknown_model" });
      reply(res, 202, { accepted: false, reason: "unknown_model" });
      return;
    }
    const pair = this.pairing.add(pairId(e), half, {
      model,
      source: e.source,
      body: e.data,
      jsonLength: e.jsonLength,
      time: this.now(),
      traceparent: e.extensions.traceparent,
      tracestate: e.extensions.tracestate,
    });
    if (pair) this.submitPair(pair, principal?.name);
    reply(res, 202, { accepted: true });
  }

  /**
   * A batch of KServe's logger records (kserveBatch.ts): each half paired and analysed as its
   * CloudEvent would be; the answer is the JSON marshalling KServe stores, whatever the analysis.
   */
  private kserveBatch(res: ServerResponse, body: Buffer, sender: string | undefined): void {
    const r = readLogBatch(body);
    if (!r.ok) {
      this.o.metrics.parseErrors.inc({ model: UNKNOWN_MODEL, reason: r.reason });
      reply(res, 400, { error: r.reason });
      return;
    }
    const m = this.o.metrics;
    for (const rec of r.records) {
      if (!rec) {
        m.parseErrors.inc({ model: UNKNOWN_MODEL, reason: "wrong_shape" });
        continue;
      }
      const half = halfOf(rec.type);
      if (!half) {
        m.dropped.inc({ reason: "unknown_type" });
        continue;
      }
      if (rec.data.length === 0) {
        m.ignored.inc({ reason: "empty_body" });
        continue;
      }
      const model = this.resolveModel(rec.inferenceService, rec.data);
      if (!model && rec.inferenceService !== undefined) {
        m.dropped.inc({ reason: "unknown_model" });
        continue;
      }
      // pairs only within one model, as CloudEvent halves (pairing.ts)
      const pair = this.pairing.add(rec.id, half, {
        model,
        source: rec.source,
        body: rec.data,
        jsonLength: undefined,
        time: this.now(),
        traceparent: undefined,
        tracestate: undefined,
      });
      if (pair) this.submitPair(pair, sender);
    }
    res.writeHead(200, {
      "content-type": "application/json",
      "x-log-marshal-extension": "json",
      "content-length": r.marshalled.length,
    });
    res.end(r.marshalled);
  }

  private submitPair(p: Pair<Runtime>, sender: string | undefined): void {
    const models = this.o.models;
    const model = p.model ?? (models.size === 1 ? models.values().next().value : undefined);
    if (!model) {
      this.o.metrics.dropped.inc({ reason: "unknown_model" });
      return;
    }
    // the producer's context: the request half's (Seldon and KServe send the same on both)
    const tp = p.request.traceparent ?? p.response.traceparent;
    const link =
      tp === undefined
        ? undefined
        : linkFromHeaders({ traceparent: tp, tracestate: p.request.tracestate ?? p.response.tracestate });
    const trace = (this.o.analysisTracer ?? NO_ANALYSIS_TRACING).start("cloudevents", model, p.id, link);
    this.o.submit({
      kind: "exchange",
      model,
      source: "cloudevents",
      sender,
      trace,
      exchange: {
        request: p.request.body,
        response: p.response.body,
        requestJsonLength: p.request.jsonLength,
        responseJsonLength: p.response.jsonLength,
        requestId: p.id,
        time: p.request.time,
        ...(trace && { trace: { traceId: trace.traceId, spanId: trace.spanId } }),
      },
    });
  }

  /** By the logger's attribute, else by an OIP body's `model_name`; undefined when neither tells. */
  private resolveModel(hint: string | undefined, data: Buffer): Runtime | undefined {
    const models = this.o.models;
    if (hint !== undefined) {
      const m = models.get(hint);
      if (m) return m;
    }
    try {
      const x: unknown = JSON.parse(data.toString("utf8"));
      if (isObject(x) && typeof x.model_name === "string") return models.get(x.model_name);
    } catch {
      // not JSON: no hint there
    }
    return undefined;
  }

  /** POST /v1/labels: JSON object, array or NDJSON; answers with the count per outcome. */
  private labels(res: ServerResponse, body: Buffer, source: string): void {
    const join = this.o.labels;
    if (!join) {
      reply(res, 404, { error: "not found" });
      return;
    }
    const counts = emptyCounts();
    for (const x of readJsonItems(body)) {
      const outcome = x === MALFORMED ? join.unreadableLabel(source) : join.applyLabelJson(x, source);
      counts[outcome]++;
    }
    reply(res, 202, counts);
  }

  /** POST /v1/predictions (forward:): see predictionsEndpoint.ts */
  private predictions(res: ServerResponse, body: Buffer, source: string): void {
    const join = this.o.labels;
    if (!join) {
      reply(res, 404, { error: "not found" });
      return;
    }
    reply(res, 202, receivePredictions(body, join, this.o.models, this.o.forwardMetrics, this.now, source));
  }

  /** A Seldon feedback CloudEvent: its truth, one label per row. */
  private feedback(
    res: ServerResponse,
    data: Buffer,
    hint: string | undefined,
    requestId: string | undefined,
    source: string,
  ): void {
    const join = this.o.labels;
    let x: unknown;
    try {
      x = JSON.parse(data.toString("utf8"));
    } catch {
      x = undefined;
    }
    // as for inference events: a named model must be configured; unnamed, the only model
    const model =
      this.resolveModel(hint, data)?.name ??
      (hint === undefined && this.o.models.size === 1 ? [...this.o.models.keys()][0] : undefined);
    if (!join || model === undefined) {
      join?.unknownModelLabel(source);
      reply(res, 202, { accepted: false, reason: "unknown_model" });
      return;
    }
    const r = readFeedback(x, model, requestId);
    if (!r.ok) {
      join.monitor(model)?.invalid(source);
      reply(res, 202, { accepted: false, reason: r.reason });
      return;
    }
    const counts = emptyCounts();
    for (const l of r.labels) counts[join.applyLabel(l, source)]++;
    reply(res, 202, { accepted: true, ...counts });
  }

  private events(res: ServerResponse, body: Buffer, sender: string | undefined): void {
    const now = this.now();
    let accepted = 0;
    let rejected = 0;
    const m = this.o.metrics;
    for (const r of readEvents(body, now)) {
      if (!r.ok) {
        // the model named in a bad body is traffic: only a configured name becomes a label
        m.parseErrors.inc({ model: this.o.models.has(r.model) ? r.model : UNKNOWN_MODEL, reason: r.reason });
        rejected++;
        continue;
      }
      const model = this.o.models.get(r.event.model);
      if (!model) {
        m.dropped.inc({ reason: "unknown_model" });
        rejected++;
        continue;
      }
      const event = { ...r.event, version: r.event.version ?? model.version, id: r.event.id ?? randomUUID() };
      if (this.o.submit({ kind: "event", model, event, source: "http", sender })) accepted++;
      else rejected++;
    }
    reply(res, 202, { accepted, rejected });
  }
}
