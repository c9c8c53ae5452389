// Analysis spans for events that arrive with their producer's trace context (CloudEvents with
// ce-traceparent, Kafka records with a traceparent header): a CONSUMER span from hand-off to the end
// of analysis, linked (not parented) to the producer's span, as the messaging conventions do for
// work that is batched and queued apart from the producer's request.
import {
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
} from "@opentelemetry/api";
import type { EventSource, WorkTrace } from "../monitor/analyzer.js";
import { ATTR_INFERMON_MODEL, ATTR_INFERMON_MODEL_VERSION, ATTR_INFERMON_REQUEST_ID } from "./tapTracing.js";

export const ATTR_INFERMON_SOURCE = "infermon.source";

export interface AnalysisTracer {
  /** a span for one event's analysis, linked to `link`; undefined without a link or when not sampled */
  start(
    source: EventSource,
    model: { readonly name: string; readonly version: string },
    requestId: string | undefined,
    link: Link | undefined,
  ): WorkTrace | undefined;
}

export const NO_ANALYSIS_TRACING: AnalysisTracer = { start: () => undefined };

export function analysisTracer(tracer: Tracer): AnalysisTracer {
  return {
    start(source, model, requestId, link) {
      if (!link) return undefined;
      const span = tracer.startSpan(
        `analyze ${model.name}`,
        {
          kind: SpanKind.CONSUMER,
          links: [link],
          attributes: {
            [ATTR_INFERMON_MODEL]: model.name,
            [ATTR_INFERMON_MODEL_VERSION]: model.version,
            [ATTR_INFERMON_SOURCE]: source,
            ...(requestId !== undefined && { [ATTR_INFERMON_REQUEST_ID]: requestId }),
            ...(source === "kafka" && { "messaging.system": "kafka", "messaging.operation.type": "process" }),
          },
        },
        ROOT_CONTEXT,
      );
      const sc = span.spanContext();
      if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
      let open = true;
      return {
        traceId: sc.traceId,
        spanId: sc.spanId,
        end(outcome) {
          if (!open) return;
          open = false;
          if (outcome) {
            span.setAttribute("error.type", outcome);
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          }
          span.end();
        },
      };
    },
  };
}
