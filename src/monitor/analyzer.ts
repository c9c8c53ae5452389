// Off the hot path: decodes copied bodies with the model's protocol adapter and feeds the events
// to the model's monitor, counting parse errors, events and LLM usage. Content-encoded copies are
// decompressed first, bounded by max_body_bytes (decompress.ts): small ones at once, larger ones on
// zlib's thread pool, coming back through the queue as plain ones.
import type {
  DecodeResult,
  Exchange,
  InferenceEvent,
  PredictionError,
  ProtocolAdapter,
} from "../adapters/inferenceEvent.js";
import { finishReasonLabel } from "../export/labelValues.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { DropReason } from "../export/reasons.js";
import type { TraceIds } from "../export/traceContext.js";
import { codingsOf, type Inflated, inflate, inflateSync, SYNC_MAX_BYTES } from "./decompress.js";
import type { ModelMonitor } from "./modelMonitor.js";

export type EventSource = "tap" | "cloudevents" | "http" | "kafka";

export interface ModelRuntime {
  readonly name: string;
  readonly adapter: ProtocolAdapter;
  readonly monitor: ModelMonitor;
}

/** An analysis span (linked to the producer's context), ended once the work is analysed or dropped. */
export interface WorkTrace {
  readonly traceId: string;
  readonly spanId: string;
  end(outcome?: "dropped" | "error"): void;
}

/** A unit of analysis work, as queued. */
export type Work =
  | {
      kind: "exchange";
      model: ModelRuntime;
      exchange: Exchange;
      source: EventSource;
      /** Content-Encoding of the request / response copy, when compressed */
      encodings?: { request?: string | undefined; response?: string | undefined } | undefined;
      trace?: WorkTrace | undefined;
      /** bytes of the memory budget the copies hold, given back once analysed or dropped */
      heldBytes?: number | undefined;
      /** the authenticated sender (web config), the source of its entries in the label join */
      sender?: string | undefined;
    }
  | {
      kind: "event";
      model: ModelRuntime;
      event: InferenceEvent;
      source: EventSource;
      trace?: WorkTrace | undefined;
      sender?: string | undefined;
    };

/** Called for each event analysed from the tap or ingest (kafka.publish_predictions), with the
 * trace it belongs to when there is one (a sampled tap request, a producer-linked analysis span). */
export type EventListener = (e: InferenceEvent, trace: TraceIds | undefined) => void;

/** Called for each body that could not be read (after it is counted), for the log. */
export type ParseErrorListener = (
  model: string,
  reason: string,
  exchange: Exchange | undefined,
  detail?: string,
) => void;

/** Called for each response whose prediction could not be read as configured (after it is counted). */
export type PredictionErrorListener = (
  model: string,
  error: PredictionError,
  exchange: Exchange | undefined,
) => void;

export interface InflateOptions {
  /** most bytes a decompressed body may have (tap.max_body_bytes) */
  maxBodyBytes: number;
  /** hands a decompressed exchange back to the queue; false when it was dropped (and counted) */
  resubmit: (w: Work) => boolean;
  /** counts (and logs) a copy that is not analysed */
  drop: (reason: DropReason) => void;
}

/** Decompressions in flight at once; more copies are dropped (each may hold max_body_bytes). */
const MAX_INFLATING = 32;

export class Analyzer {
  private inflating = 0;
  private settledWaiters: (() => void)[] = [];

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly now: () => number = Date.now,
    private readonly onParseError: ParseErrorListener = () => {},
    private readonly inflateOpts?: InflateOptions,
    private readonly onEvent?: EventListener,
    private readonly onPredictionError: PredictionErrorListener = () => {},
  ) {}

  /** Decompressions still running. */
  get pendingDecompressions(): number {
    return this.inflating;
  }

  /** Resolves once no decompression is running. */
  settled(): Promise<void> {
    if (this.inflating === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  handle = (w: Work): void => {
    if (w.kind === "event") {
      w.model.monitor.observe(w.event, this.now(), w.sender ?? w.source);
      this.metrics.events.inc({ model: w.model.name, source: w.source });
      if (this.onEvent && w.source !== "kafka") this.onEvent(w.event, w.trace);
      return;
    }
    if (w.encodings) {
      this.inflate(w, w.encodings);
      return;
    }
    this.apply(w.model, w.model.adapter.decode(w.exchange), w.source, w.exchange, w.sender);
  };

  private inflate(
    w: Work & { kind: "exchange" },
    enc: { request?: string | undefined; response?: string | undefined },
  ): void {
    const o = this.inflateOpts;
    const req = codingsOf(enc.request);
    const res = codingsOf(enc.response);
    const x = w.exchange;
    if (!o) {
      this.parseError(w.model, "content_encoding", x);
      return;
    }
    // the usual small body: at once, in this (budgeted) analysis pass
    const cap = Math.min(o.maxBodyBytes, SYNC_MAX_BYTES);
    const a = x.request && req ? inflateSync(x.request, req, cap) : undefined;
    const b = x.response && res ? inflateSync(x.response, res, cap) : undefined;
    const larger = (r: Inflated | undefined) =>
      r?.ok === false && r.reason === "too_large" && cap < o.maxBodyBytes;
    if (!larger(a) && !larger(b)) {
      if (this.settle(w.model, x, a, b))
        this.apply(w.model, w.model.adapter.decode(this.plain(x, a, b)), w.source, x, w.sender);
      return;
    }
    // larger than the one-shot cap: zlib streams on the thread pool, then back through the queue
    if (this.inflating >= MAX_INFLATING) {
      o.drop("queue_full");
      return;
    }
    this.inflating++;
    const part = (body: Buffer | undefined, codings: string[] | undefined, done: Inflated | undefined) =>
      body && codings && (done === undefined || larger(done))
        ? inflate(body, codings, o.maxBodyBytes)
        : Promise.resolve(done);
    Promise.all([part(x.request, req, a), part(x.response, res, b)])
      .then(([a2, b2]) => {
        if (this.settle(w.model, x, a2, b2))
          o.resubmit({
            kind: "exchange",
            model: w.model,
            exchange: this.plain(x, a2, b2),
            source: w.source,
            sender: w.sender,
          });
      })
      .catch(() => o.drop("analysis_error"))
      .finally(() => {
        this.inflating--;
        if (this.inflating === 0 && this.settledWaiters.length > 0) {
          const ws = this.settledWaiters;
          this.settledWaiters = [];
          for (const f of ws) f();
        }
      });
  }

  /** True when both bodies are readable; otherwise counts why not (a drop or a parse error). */
  private settle(model: ModelRuntime, x: Exchange, ...parts: (Inflated | undefined)[]): boolean {
    for (const r of parts) {
      if (r === undefined || r.ok) continue;
      if (r.reason === "too_large") this.inflateOpts?.drop("decompressed_too_large");
      else this.parseError(model, "content_encoding", x);
      return false;
    }
    return true;
  }

  /** The exchange with its decompressed bodies. */
  private plain(x: Exchange, a: Inflated | undefined, b: Inflated | undefined): Exchange {
    return {
      ...x,
      request: a?.ok ? a.body : x.request,
      response: b?.ok ? b.body : x.response,
    };
  }

  private parseError(model: ModelRuntime, reason: "content_encoding", exchange: Exchange): void {
    this.metrics.parseErrors.inc({ model: model.name, reason });
    this.onParseError(model.name, reason, exchange);
  }

  apply(
    model: ModelRuntime,
    r: DecodeResult,
    source: EventSource,
    exchange?: Exchange,
    sender?: string,
  ): void {
    const m = this.metrics;
    if (r.kind === "error") {
      // a request the model server rejected that we cannot read either (client garbage answered
      // 4xx): counted by its code in requests_total, not as the agent failing to read the model
      if (exchange?.failedStatus !== undefined) return;
      m.parseErrors.inc({ model: model.name, reason: r.reason });
      this.onParseError(model.name, r.reason, exchange, r.detail);
      return;
    }
    if (r.kind === "llm") {
      const u = r.usage;
      if (u.promptTokens > 0) m.llmTokens.inc({ model: u.model, type: "prompt" }, u.promptTokens);
      if (u.completionTokens > 0) m.llmTokens.inc({ model: u.model, type: "completion" }, u.completionTokens);
      for (const reason of u.finishReasons)
        m.llmFinishReasons.inc({ model: u.model, reason: finishReasonLabel(reason) });
      m.events.inc({ model: model.name, source });
      return;
    }
    if (exchange?.failedStatus !== undefined) {
      // the model answered with an error: its inputs count apart from the predictions' data quality
      for (const e of r.events) model.monitor.observeFailed(e);
      return;
    }
    if (r.predictionError) {
      m.predictionReadErrors.inc({ model: model.name, reason: r.predictionError.reason }, r.events.length);
      this.onPredictionError(model.name, r.predictionError, exchange);
    }
    const now = this.now();
    const variant = exchange?.variant;
    if (variant !== undefined) for (const e of r.events) e.variant = variant;
    const joinSource = sender ?? source;
    for (const e of r.events) model.monitor.observe(e, now, joinSource);
    if (this.onEvent && source !== "kafka") for (const e of r.events) this.onEvent(e, exchange?.trace);
    if (r.events.length > 0) m.events.inc({ model: model.name, source }, r.events.length);
  }
}
