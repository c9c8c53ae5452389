// Off the hot path: decodes copied bodies with the model's protocol adapter and feeds the events
// to the model's monitor, counting parse errors, events and LLM usage. Content-encoded copies are
// decompressed first (asynchronously, on zlib's thread pool, bounded by max_body_bytes) and come
// back through the queue as plain ones.
import type { DecodeResult, Exchange, InferenceEvent, ProtocolAdapter } from "../adapters/inferenceEvent.js";
import { finishReasonLabel } from "../export/labelValues.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { DropReason } from "../export/reasons.js";
import { codingsOf, type Inflated, inflate } from "./decompress.js";
import type { ModelMonitor } from "./modelMonitor.js";

export type EventSource = "tap" | "cloudevents" | "http" | "kafka";

export interface ModelRuntime {
  readonly name: string;
  readonly adapter: ProtocolAdapter;
  readonly monitor: ModelMonitor;
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
    }
  | { kind: "event"; model: ModelRuntime; event: InferenceEvent; source: EventSource };

/** Called for each body that could not be read (after it is counted), for the log. */
export type ParseErrorListener = (model: string, reason: string, exchange: Exchange | undefined) => void;

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
const PLAIN: Promise<Inflated> = Promise.resolve({ ok: true, body: Buffer.alloc(0) });

export class Analyzer {
  private inflating = 0;
  private settledWaiters: (() => void)[] = [];

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly now: () => number = Date.now,
    private readonly onParseError: ParseErrorListener = () => {},
    private readonly inflateOpts?: InflateOptions,
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
      w.model.monitor.observe(w.event, this.now());
      this.metrics.events.inc({ model: w.model.name, source: w.source });
      return;
    }
    if (w.encodings) {
      this.inflate(w, w.encodings);
      return;
    }
    this.apply(w.model, w.model.adapter.decode(w.exchange), w.source, w.exchange);
  };

  private inflate(
    w: Work & { kind: "exchange" },
    enc: { request?: string | undefined; response?: string | undefined },
  ): void {
    const o = this.inflateOpts;
    const req = codingsOf(enc.request);
    const res = codingsOf(enc.response);
    if (!o) {
      this.parseError(w.model, "content_encoding", w.exchange);
      return;
    }
    if (this.inflating >= MAX_INFLATING) {
      o.drop("queue_full");
      return;
    }
    this.inflating++;
    const x = w.exchange;
    const part = (body: Buffer | undefined, codings: string[] | undefined) =>
      body && codings ? inflate(body, codings, o.maxBodyBytes) : PLAIN;
    Promise.all([part(x.request, req), part(x.response, res)])
      .then(([a, b]) => {
        for (const r of [a, b]) {
          if (r.ok) continue;
          if (r.reason === "too_large") o.drop("decompressed_too_large");
          else this.parseError(w.model, "content_encoding", x);
          return;
        }
        const exchange: Exchange = {
          ...x,
          request: req && a.ok ? a.body : x.request,
          response: res && b.ok ? b.body : x.response,
        };
        o.resubmit({ kind: "exchange", model: w.model, exchange, source: w.source });
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

  private parseError(model: ModelRuntime, reason: "content_encoding", exchange: Exchange): void {
    this.metrics.parseErrors.inc({ model: model.name, reason });
    this.onParseError(model.name, reason, exchange);
  }

  apply(model: ModelRuntime, r: DecodeResult, source: EventSource, exchange?: Exchange): void {
    const m = this.metrics;
    if (r.kind === "error") {
      m.parseErrors.inc({ model: model.name, reason: r.reason });
      this.onParseError(model.name, r.reason, exchange);
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
    const now = this.now();
    for (const e of r.events) model.monitor.observe(e, now);
    if (r.events.length > 0) m.events.inc({ model: model.name, source }, r.events.length);
  }
}
