// Wraps the span exporter to tell the log when exporting fails: ONE warning when the receiver stops
// answering (spans then wait in the batch processor's bounded queue and the overflow is dropped),
// one info line when it answers again. Never one line per span or per batch.
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { Logger } from "./logger.js";
import { LOG } from "./logMessages.js";

export class ExportWatch implements SpanExporter {
  private failing = false;
  private failedSpans = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly log: Logger,
    private readonly facts: { endpoint: string; maxQueueSize: number },
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code === ExportResultCode.SUCCESS) {
        if (this.failing) {
          this.failing = false;
          this.log.info(
            { endpoint: this.facts.endpoint, spans_lost: this.failedSpans },
            LOG.traceExportRecovered,
          );
          this.failedSpans = 0;
        }
      } else {
        this.failedSpans += spans.length;
        if (!this.failing) {
          this.failing = true;
          this.log.warn(
            {
              endpoint: this.facts.endpoint,
              error: r.error?.message,
              max_queue_size: this.facts.maxQueueSize,
            },
            LOG.traceExportFailing,
          );
        }
      }
      done(r);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
