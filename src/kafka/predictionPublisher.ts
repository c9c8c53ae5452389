// kafka.publish_predictions: the sidecar publishes each analysed InferenceEvent to the predictions
// topic, keyed by request id, for the aggregators' label join. Never on the proxy's path: events
// are offered from analysis into a bounded buffer (full → counted drop), and sent in batches by one
// send at a time; while the broker is away kafkajs retries and the buffer fills, then drops.
import { CompressionTypes, Kafka, logLevel, type Message, type Producer } from "kafkajs";
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { TraceIds } from "../export/traceContext.js";
import { kafkaLogCreator } from "./kafkaLog.js";
import type { KafkaMetrics } from "./kafkaMetrics.js";
import type { KafkaSecurity } from "./kafkaSecurity.js";

interface Inc {
  inc(n?: number): void;
}

export interface PublisherOptions {
  brokers: string[];
  /** SASL and TLS (kafkaSecurity.ts) */
  security?: KafkaSecurity;
  topic: string;
  metrics: KafkaMetrics;
  logger?: Logger;
  /** events held at most while waiting for the broker (default 10,000) */
  maxBuffered?: number;
  /** events per produce request at most (default 1,000) */
  batchSize?: number;
  /** how long a partial batch waits for more (default 20 ms) */
  lingerMs?: number;
}

export class PredictionPublisher {
  private readonly producer: Producer;
  private readonly buffer: Message[] = [];
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly published: Inc;
  private readonly dropped: Inc;
  private readonly failed: Inc;
  private readonly log: Logger;
  private connected: Promise<void> | undefined;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: PublisherOptions) {
    this.log = o.logger ?? silentLogger;
    this.maxBuffered = o.maxBuffered ?? 10_000;
    this.batchSize = o.batchSize ?? 1_000;
    this.lingerMs = o.lingerMs ?? 20;
    o.metrics.publishedTopic(o.topic);
    this.published = o.metrics.counter(o.topic, "published");
    this.dropped = o.metrics.counter(o.topic, "dropped");
    this.failed = o.metrics.counter(o.topic, "failed");
    const kafka = new Kafka({
      clientId: "infermon-sidecar",
      brokers: o.brokers,
      ...o.security,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.log),
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 5 },
    });
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  /** Events waiting to be sent. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Non-blocking: queues the event, or counts it dropped when the buffer is full. */
  offer(e: InferenceEvent, trace?: TraceIds): boolean {
    if (this.closed || this.buffer.length >= this.maxBuffered) {
      this.dropped.inc();
      return false;
    }
    // the traced request's context, so a consumer's analysis span links to it (W3C trace context
    // in Kafka headers, as OpenTelemetry's kafkajs instrumentation sends it)
    this.buffer.push(
      trace
        ? {
            key: e.id,
            value: JSON.stringify(e),
            headers: { traceparent: `00-${trace.traceId}-${trace.spanId}-01` },
          }
        : { key: e.id, value: JSON.stringify(e) },
    );
    if (this.buffer.length >= this.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.lingerMs).unref();
    return true;
  }

  /** Sends what is buffered (within `graceMs`), then disconnects; the rest is counted dropped. */
  async close(graceMs = 2_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + graceMs;
    while ((this.buffer.length > 0 || this.sending) && Date.now() < deadline) {
      this.kick();
      await Promise.race([this.sending, new Promise((r) => setTimeout(r, 50))]);
    }
    if (this.buffer.length > 0) this.dropped.inc(this.buffer.splice(0).length);
    clearTimeout(this.timer);
    // a producer still trying to connect would hold shutdown for its whole retry schedule
    await Promise.race([
      this.producer.disconnect().catch(() => {}),
      new Promise((r) => setTimeout(r, Math.max(100, deadline - Date.now())).unref()),
    ]);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.buffer.length === 0) return;
    this.sending = this.sendBatch().finally(() => {
      this.sending = undefined;
      if (this.buffer.length > 0) this.kick();
    });
  }

  private async sendBatch(): Promise<void> {
    try {
      this.connected ??= this.producer.connect();
      await this.connected;
    } catch (err) {
      this.connected = undefined;
      this.log.warn({ err }, LOG.kafkaProducerCannotConnect);
      await new Promise((r) => setTimeout(r, 1_000).unref());
      return;
    }
    const batch = this.buffer.splice(0, this.batchSize);
    try {
      await this.producer.send({
        topic: this.o.topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: batch,
      });
      this.published.inc(batch.length);
    } catch (err) {
      this.failed.inc(batch.length);
      this.log.warn({ err, events: batch.length }, LOG.kafkaProducerDropped);
    }
  }
}
