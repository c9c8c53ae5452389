// infermon_kafka_messages_total{topic,outcome} and infermon_kafka_consumer_lag{topic,partition},
// on the agent's registry. Topics are the configured ones; partitions are those the broker
// assigned this member (bounded by the topic's partition count), dropped when revoked.
import { Gauge, type Registry } from "prom-client";
import { BoundCounter } from "../export/boundMetrics.js";
import {
  CONSUME_OUTCOMES,
  type ConsumeOutcome,
  PUBLISH_OUTCOMES,
  type PublishOutcome,
} from "./kafkaMessage.js";

interface Inc {
  inc(n?: number): void;
}

export class KafkaMetrics {
  private readonly messages: BoundCounter<"topic" | "outcome">;
  private readonly lag: Gauge<"topic" | "partition">;
  private readonly bound = new Map<string, Map<string, Inc>>();
  private readonly lagged = new Set<string>();

  constructor(registry: Registry) {
    this.messages = new BoundCounter(
      "infermon_kafka_messages_total",
      "Kafka messages by topic and outcome (consumed: applied, duplicate, malformed_json, wrong_shape, unknown_model, invalid; published: published, dropped, failed).",
      ["topic", "outcome"],
      registry,
    );
    this.lag = new Gauge({
      name: "infermon_kafka_consumer_lag",
      help: "Messages behind the partition's high watermark, per partition assigned to this agent.",
      labelNames: ["topic", "partition"],
      registers: [registry],
    });
  }

  /** Creates the topic's series at 0 (rules read them with rate()). */
  consumedTopic(topic: string): void {
    for (const o of CONSUME_OUTCOMES) this.counter(topic, o);
  }

  publishedTopic(topic: string): void {
    for (const o of PUBLISH_OUTCOMES) this.counter(topic, o);
  }

  counter(topic: string, outcome: ConsumeOutcome | PublishOutcome): Inc {
    let t = this.bound.get(topic);
    if (!t) {
      t = new Map();
      this.bound.set(topic, t);
    }
    let c = t.get(outcome);
    if (!c) {
      c = this.messages.labels({ topic, outcome });
      t.set(outcome, c);
    }
    return c;
  }

  setLag(topic: string, partition: number, lag: number): void {
    this.lagged.add(`${topic}\u0000${partition}`);
    this.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }

  /** Keeps lag series of the assigned partitions only (after a rebalance). */
  assigned(assignment: Record<string, readonly number[]>): void {
    for (const k of [...this.lagged]) {
      const [topic = "", p = ""] = k.split("\u0000");
      if (!assignment[topic]?.includes(Number(p))) {
        this.lag.remove({ topic, partition: p });
        this.lagged.delete(k);
      }
    }
  }
}
