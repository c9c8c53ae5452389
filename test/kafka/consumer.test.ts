// The Kafka source against a real broker (one KRaft node for the file, from .ci/install-kafka.sh):
// predictions and labels consumed in one group, poison messages skipped and committed, two
// members splitting the partitions, the broker killed and restarted mid-stream with exact counts.
import type { Message } from "kafkajs";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaSource } from "../../src/kafka/consumer.js";
import { KafkaMetrics } from "../../src/kafka/kafkaMetrics.js";
import { send } from "../helpers/http.js";
import {
  allCommitted,
  eventually,
  kafkaConfig,
  labelMessages,
  predictionMessages,
  produce,
  type RunningAgent,
  startAgent,
} from "../helpers/kafkaAgent.js";
import { type Broker, createTopics, requireKafka, startBroker } from "../helpers/kafkaBroker.mjs";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

const run = requireKafka();
let broker: Broker;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  if (run) broker = await startBroker({ partitions: 2 });
}, 90_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await broker?.stop();
});

async function topics(prefix: string) {
  const t = { predictions: `${prefix}.predictions`, labels: `${prefix}.labels` };
  await createTopics(broker.bootstrap, [
    { topic: t.predictions, numPartitions: 2 },
    { topic: t.labels, numPartitions: 2 },
  ]);
  return t;
}

async function agent(
  prefix: string,
  t: { predictions: string; labels: string },
  kafka: { clientId?: string; retries?: number } = {},
) {
  const a = await startAgent(
    kafkaConfig({ bootstrap: broker.bootstrap, group: `${prefix}-group`, topics: t }),
    kafka,
  );
  agents.push(a);
  return a;
}

const messages = (a: RunningAgent, topic: string, outcome: string) =>
  a.value("infermon_kafka_messages_total", { topic, outcome });

describe.runIf(run)("Kafka source (real broker)", () => {
  it("joins predictions and labels into /metrics, counts poison messages, skips them and commits their offsets", async () => {
    const t = await topics("basic");
    const n = 300;
    const predictions = predictionMessages(n, "b");
    await produce(broker.bootstrap, t.predictions, [
      ...predictions,
      predictions[0] as Message, // a producer's retry: same id, new offset
      { key: "p1", value: "{not json" },
      { key: "p2", value: JSON.stringify({ model: "credit" }) }, // no features
      { key: "p3", value: JSON.stringify({ model: "unknown", features: { x: 1 } }) },
      { key: "p4", value: null },
      { key: "p5", value: "\u0000\u0001binary" },
    ]);
    await produce(broker.bootstrap, t.labels, [
      ...labelMessages(n, "b"),
      { key: "l1", value: "[1," },
      { key: "l2", value: JSON.stringify({ model: "credit", id: "b-1" }) }, // no label
      { key: "l3", value: JSON.stringify({ model: "unknown", id: "b-1", label: "1" }) },
    ]);
    const a = await agent("basic", t);
    await eventually(
      async () =>
        (await messages(a, t.labels, "applied")) + (await messages(a, t.labels, "unknown_model")) >= n + 1,
    );
    await eventually(async () => (await a.value("infermon_events_total", { source: "kafka" })) >= n);
    const m = async (topic: string, outcome: string) => messages(a, topic, outcome);
    expect(await a.value("infermon_events_total", { model: "credit", source: "kafka" })).toBe(n);
    expect(await m(t.predictions, "applied")).toBe(n);
    expect(await m(t.predictions, "malformed_json")).toBe(2);
    expect(await m(t.predictions, "wrong_shape")).toBe(2);
    expect(await m(t.predictions, "unknown_model")).toBe(1);
    expect(await m(t.predictions, "duplicate")).toBe(1); // neither joined nor counted twice
    expect(await m(t.labels, "applied")).toBe(n);
    expect(await m(t.labels, "malformed_json")).toBe(1);
    expect(await m(t.labels, "invalid")).toBe(1);
    expect(await m(t.labels, "unknown_model")).toBe(1);
    // every prediction joined once with its label: the correctness SLI and accuracy are exported
    expect(await a.value("infermon_labeled_predictions_total", { model: "credit" })).toBe(n);
    expect(await a.value("infermon_labels_total", { model: "credit", outcome: "invalid" })).toBe(1);
    expect(await a.value("infermon_labels_total", { model: "unknown", outcome: "unknown_model" })).toBe(1);
    expect(await a.value("infermon_labels_total", { model: "unknown", outcome: "invalid" })).toBe(1); // not JSON
    // poison never stalls: everything, poison included, is committed
    for (const topic of [t.predictions, t.labels])
      await eventually(
        () => allCommitted(broker.bootstrap, "basic-group", topic),
        10_000,
        `commit of ${topic}`,
      );
    // lag per assigned partition, labels bounded by the partition count
    const lag = (await a.metrics()).filter((s) => s.name === "infermon_kafka_consumer_lag");
    expect(lag.map((s) => s.labels.partition).every((p) => p === "0" || p === "1")).toBe(true);
    expect(lag.every((s) => s.value === 0)).toBe(true);
    expect(await a.readyz()).toBe(200);
  });

  it("two agents in one group split the partitions and together apply everything once", async () => {
    const t = await topics("pair");
    const a = await agent("pair", t, { clientId: "agent-a" });
    const b = await agent("pair", t, { clientId: "agent-b" });
    const assigned = (x: RunningAgent) =>
      x.metrics().then((s) => s.filter((v) => v.name === "infermon_kafka_consumer_lag").length);
    // produce once the group has settled: one partition of each topic per member
    const held = (x: RunningAgent) =>
      Object.values(x.agent.kafka?.assignment ?? {}).reduce((n, p) => n + p.length, 0);
    await eventually(
      async () => held(a) === 2 && held(b) === 2 && (await a.readyz()) === 200 && (await b.readyz()) === 200,
      30_000,
      "both joined",
    );
    const n = 400;
    // keyed by request id on co-partitioned topics: each member joins its own partitions
    await produce(broker.bootstrap, t.labels, labelMessages(n, "s"));
    await produce(broker.bootstrap, t.predictions, predictionMessages(n, "s"));
    const total = async () =>
      (await a.value("infermon_events_total", { source: "kafka" })) +
      (await b.value("infermon_events_total", { source: "kafka" }));
    const joined = async () =>
      (await a.value("infermon_labeled_predictions_total")) +
      (await b.value("infermon_labeled_predictions_total"));
    await eventually(async () => (await total()) >= n && (await joined()) >= n, 20_000, "all events");
    await new Promise((r) => setTimeout(r, 500));
    expect(await total()).toBe(n);
    expect(await joined()).toBe(n); // exactly once, though no member saw every prediction
    // each member got one partition of each topic and applied part of the stream
    expect(await a.value("infermon_events_total", { source: "kafka" })).toBeGreaterThan(0);
    expect(await b.value("infermon_events_total", { source: "kafka" })).toBeGreaterThan(0);
    expect(await assigned(a)).toBeLessThanOrEqual(2);
    expect(await assigned(b)).toBeLessThanOrEqual(2);
  }, 60_000);

  it("loses and double-counts nothing when the broker is killed and restarted mid-stream", async () => {
    const t = await topics("restart");
    const a = await agent("restart", t);
    await eventually(async () => (await a.readyz()) === 200, 30_000, "joined");
    const first = predictionMessages(1500, "r1", 11);
    await produce(broker.bootstrap, t.predictions, first);
    await produce(broker.bootstrap, t.labels, labelMessages(1500, "r1"));
    await eventually(
      async () => (await a.value("infermon_events_total", { source: "kafka" })) >= 500,
      20_000,
    );
    await broker.kill();
    await eventually(async () => (await a.readyz()) === 503, 20_000, "not ready while the broker is away");
    expect((await a.metrics()).length).toBeGreaterThan(0); // everything else still served
    await broker.restart();
    const second = predictionMessages(1000, "r2", 12);
    await produce(broker.bootstrap, t.labels, labelMessages(1000, "r2"));
    await produce(broker.bootstrap, t.predictions, second);
    await eventually(async () => (await a.readyz()) === 200, 60_000, "ready again");
    const total = first.length + second.length;
    await eventually(
      async () =>
        (await a.value("infermon_events_total", { source: "kafka" })) >= total &&
        (await a.value("infermon_labeled_predictions_total")) >= total &&
        (await allCommitted(broker.bootstrap, "restart-group", t.predictions)) &&
        (await allCommitted(broker.bootstrap, "restart-group", t.labels)),
      60_000,
      "all applied and committed",
    );
    expect(await a.value("infermon_events_total", { source: "kafka" })).toBe(total);
    expect(await messages(a, t.predictions, "applied")).toBe(total);
    // no labelled prediction lost or double-counted
    expect(await a.value("infermon_labeled_predictions_total")).toBe(total);
  }, 150_000);

  it("applies each message once and commits every offset when the broker dies in the middle of a batch", async () => {
    const t = await topics("redeliver");
    const n = 1200;
    await produce(broker.bootstrap, t.predictions, predictionMessages(n, "d", 13));
    const applied = new Map<string, number>();
    let killed = false;
    const registry = new Registry();
    const source = new KafkaSource({
      brokers: [broker.bootstrap],
      groupId: "redeliver-group",
      topics: { predictions: t.predictions },
      metrics: new KafkaMetrics(registry),
      staleMs: 3_000,
      sessionTimeoutMs: 6_000,
      retries: 2,
      sink: {
        prediction(e) {
          applied.set(e.id, (applied.get(e.id) ?? 0) + 1);
          // the broker dies while this batch is applied: its offsets cannot be committed
          if (!killed && applied.size === 300) {
            killed = true;
            process.kill(broker.pid as number, "SIGKILL");
          }
          return "applied";
        },
        label: () => "applied",
        unreadableLabel: () => {},
      },
    });
    source.start();
    try {
      await eventually(() => killed, 30_000, "the kill");
      await broker.kill(); // reaped
      await new Promise((r) => setTimeout(r, 3_000)); // the consumer gives up and restarts
      await broker.restart();
      await eventually(
        () => applied.size === n && allCommitted(broker.bootstrap, "redeliver-group", t.predictions),
        60_000,
        "all applied and committed",
      );
      const samples = parseMetrics(await registry.metrics());
      const count = (outcome: string) =>
        metricValue(samples, "infermon_kafka_messages_total", { topic: t.predictions, outcome });
      // kafkajs resumes its session after a short outage (no redelivery then); whatever Kafka
      // redelivers is recognised by offset (test/unit/kafkaMessage.test.ts) and never re-applied
      expect([...applied.values()].every((c) => c === 1)).toBe(true);
      expect((count("applied") ?? 0) + (count("duplicate") ?? 0)).toBeGreaterThanOrEqual(n);
      expect(count("applied")).toBe(n);
    } finally {
      await source.stop();
    }
  }, 120_000);

  it("a sidecar publishes its predictions (kafka.publish_predictions) and an aggregator joins them", async () => {
    const t = await topics("sidecar");
    const sidecar = await startAgent(
      kafkaConfig({ bootstrap: broker.bootstrap, group: "unused", topics: t, publish: true, ingest: true }),
    );
    agents.push(sidecar);
    const aggregator = await agent("sidecar", t);
    const n = 50;
    const events = predictionMessages(n, "sc")
      .map((m) => String(m.value))
      .join("\n");
    const r = await send(`http://127.0.0.1:${sidecar.addr.ingest?.port}/v1/events`, { body: events });
    expect(r.status).toBe(202);
    await produce(broker.bootstrap, t.labels, labelMessages(n, "sc"));
    await eventually(
      async () => (await aggregator.value("infermon_labeled_predictions_total")) >= n,
      20_000,
      "joins",
    );
    expect(await aggregator.value("infermon_labeled_predictions_total")).toBe(n);
    expect(
      await sidecar.value("infermon_kafka_messages_total", { topic: t.predictions, outcome: "published" }),
    ).toBe(n);
    expect(
      await sidecar.value("infermon_kafka_messages_total", { topic: t.predictions, outcome: "dropped" }),
    ).toBe(0);
    // the sidecar consumes nothing: its own drift counts stay, the join happens on the aggregator
    expect(await sidecar.value("infermon_events_total", { source: "kafka" })).toBe(0);
    expect(await aggregator.value("infermon_events_total", { source: "kafka" })).toBe(n);
  });
});
