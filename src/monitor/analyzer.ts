// Off the hot path: decodes copied bodies with the model's protocol adapter and feeds the events
// to the model's monitor, counting parse errors, events and LLM usage.
import type { DecodeResult, Exchange, InferenceEvent, ProtocolAdapter } from "../adapters/inferenceEvent.js";
import type { AgentMetrics } from "../export/metrics.js";
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
      encoded: boolean;
      trace?: WorkTrace | undefined;
    }
  | {
      kind: "event";
      model: ModelRuntime;
      event: InferenceEvent;
      source: EventSource;
      trace?: WorkTrace | undefined;
    };

/** Called for each body that could not be read (after it is counted), for the log. */
export type ParseErrorListener = (model: string, reason: string, exchange: Exchange | undefined) => void;

export class Analyzer {
  constructor(
    private readonly metrics: AgentMetrics,
    private readonly now: () => number = Date.now,
    private readonly onParseError: ParseErrorListener = () => {},
  ) {}

  handle = (w: Work): void => {
    if (w.kind === "event") {
      w.model.monitor.observe(w.event, this.now());
      this.metrics.events.inc({ model: w.model.name, source: w.source });
      return;
    }
    if (w.encoded) {
      this.metrics.parseErrors.inc({ model: w.model.name, reason: "content_encoding" });
      this.onParseError(w.model.name, "content_encoding", w.exchange);
      return;
    }
    this.apply(w.model, w.model.adapter.decode(w.exchange), w.source, w.exchange);
  };

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
      for (const reason of u.finishReasons) m.llmFinishReasons.inc({ model: u.model, reason });
      m.events.inc({ model: model.name, source });
      return;
    }
    const now = this.now();
    for (const e of r.events) model.monitor.observe(e, now);
    if (r.events.length > 0) m.events.inc({ model: model.name, source }, r.events.length);
  }
}
