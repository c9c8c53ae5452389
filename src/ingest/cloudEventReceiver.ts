// The CloudEvent side of the ingest: KServe's and Seldon's payload loggers at `POST /` (request and
// response halves paired by (model or source, ce-requestid or ce-id): pairing.ts), KServe's logger
// batches at `POST /v1/kserve/marshal`, and Seldon feedback events, whose truth goes to the label
// join. Paired exchanges are handed to analysis like the tap's copies.
import type { IncomingMessage, ServerResponse } from "node:http";
import { isObject } from "../adapters/jsonBody.js";
import type { Principal } from "../auth/authenticator.js";
import { type AnalysisTracer, NO_ANALYSIS_TRACING } from "../export/analysisTracing.js";
import { UNKNOWN_MODEL } from "../export/labelValues.js";
import type { AgentMetrics } from "../export/metrics.js";
import { linkFromHeaders } from "../export/traceContext.js";
import { emptyCounts, type LabelJoin } from "../labels/labelJoin.js";
import { readFeedback, SELDON_FEEDBACK } from "../labels/seldonFeedback.js";
import type { ModelRuntime, Work } from "../monitor/analyzer.js";
import type { Slice } from "../monitor/loopSlicer.js";
import { reply } from "./bodyReader.js";
import { halfOf, modelHint, pairId, readCloudEvent } from "./cloudEvents.js";
import { readLogBatch } from "./kserveBatch.js";
import { type Pair, Pairing } from "./pairing.js";

export type Runtime = ModelRuntime & { version: string };

export interface CloudEventOptions {
  models: ReadonlyMap<string, Runtime>;
  /** non-blocking hand-off; false when the event was dropped (the callee counts it) */
  submit: (w: Work) => boolean;
  metrics: AgentMetrics;
  labels?: LabelJoin | undefined;
  /** how long a half waits for its other half (default 30 s) */
  pairTtlMs?: number | undefined;
  maxPending?: number | undefined;
  now: () => number;
  analysisTracer?: AnalysisTracer | undefined;
  /** answer 403 (a sender without the permission the event needs) */
  refuse: (req: IncomingMessage, res: ServerResponse, why: string) => void;
}

export class CloudEventReceiver {
  private readonly pairing: Pairing<Runtime>;
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: CloudEventOptions) {
    this.now = o.now;
    const ttl = o.pairTtlMs ?? 30_000;
    const unpaired = o.metrics.dropped.labels({ reason: "unpaired" });
    const conflicts = o.metrics.pairConflicts.labels({});
    this.pairing = new Pairing(ttl, o.maxPending ?? 100_000, {
      unpaired: (n) => unpaired.inc(n),
      conflict: () => conflicts.inc(),
    });
    this.sweeper = setInterval(() => this.pairing.expire(this.now()), Math.max(100, ttl / 4)).unref();
  }

  get pendingHalves(): number {
    return this.pairing.size;
  }

  /** Expire unpaired halves now (tests; the sweeper does this periodically). */
  expire(now = this.now()): number {
    return this.pairing.expire(now);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  cloudEvent(
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
      this.o.refuse(req, res, `${principal?.name} may not send ${e.type}`);
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
  async kserveBatch(
    res: ServerResponse,
    body: Buffer,
    sender: string | undefined,
    slice: Slice,
  ): Promise<void> {
    const r = await readLogBatch(body, slice);
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
      if (slice.due()) await slice.turn();
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
}
