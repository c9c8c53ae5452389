// kafka.publish_predictions: the sidecar publishes each analysed InferenceEvent to the predictions
// topic, keyed by request id, for the aggregators' label join. Never on the proxy's path: events
// are offered from analysis into a bounded buffer (full → counted drop), and sent in batches by one
// send at a time; while the broker is away kafkajs retries and the buffer fills, then drops.
import { CompressionTypes, Kafka, logLevel, type Message, type Producer } from "kafkajs";
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { TraceIds } from "../export/traceContext.js";
import { BatchingSender } from "../forward/batchingSender.js";
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
  private readonly sender: BatchingSender<Message>;
  private readonly published: Inc;
  private readonly failed: Inc;
  private readonly log: Logger;
  private connected: Promise<void> | undefined;

  constructor(private readonly o: PublisherOptions) {
    this.log = o.logger ?? silentLogger;
    o.metrics.publishedTopic(o.topic);
    this.published = o.metrics.counter(o.topic, "published");
    const dropped = o.metrics.counter(o.topic, "dropped");
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
    this.sender = new BatchingSender<Message>({
      capacity: o.maxBuffered ?? 10_000,
      batchSize: o.batchSize ?? 1_000,
      lingerMs: o.lingerMs ?? 20,
      // a backlog (the broker was away) goes out batch after batch, without lingering
      lingerAfterSend: false,
      ready: () => this.connect(),
      send: (batch) => this.send(batch),
      dropped: (n) => dropped.inc(n),
      release: () => this.producer.disconnect(),
    });
  }

  /** Events waiting to be sent. */
  get buffered(): number {
    return this.sender.buffered;
  }

  /** Non-blocking: queues the event, or counts it dropped when the buffer is full. */
  offer(e: InferenceEvent, trace?: TraceIds): boolean {
    // the traced request's context, so a consumer's analysis span links to it (W3C trace context
    // in Kafka headers, as OpenTelemetry's kafkajs instrumentation sends it)
    return this.sender.offer(() =>
      trace
        ? {
            key: e.id,
            value: JSON.stringify(e),
            headers: { traceparent: `00-${trace.traceId}-${trace.spanId}-01` },
          }
        : { key: e.id, value: JSON.stringify(e) },
    );
  }

  /** Sends what is buffered (within `graceMs`), then disconnects; the rest is counted dropped. */
  close(graceMs = 2_000): Promise<void> {
    return this.sender.close(graceMs);
  }

  /** Connects once; while the broker is away, waits a second and leaves the buffer as it is. */
  private async connect(): Promise<boolean> {
    try {
      this.connected ??= this.producer.connect();
      await this.connected;
      return true;
    } catch (err) {
      this.connected = undefined;
      this.log.warn({ err }, LOG.kafkaProducerCannotConnect);
      await new Promise((r) => setTimeout(r, 1_000).unref());
      return false;
    }
  }

  private async send(batch: Message[]): Promise<void> {
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
