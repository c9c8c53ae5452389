// Without a broker (a closed port on loopback): the agent serves everything but is not ready,
// and the sidecar's producer never blocks — a full buffer is a counted drop.
import { createServer } from "node:net";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import type { InferenceEvent } from "../../src/adapters/inferenceEvent.js";
import { KafkaMetrics } from "../../src/kafka/kafkaMetrics.js";
import { PredictionPublisher } from "../../src/kafka/predictionPublisher.js";
import { send } from "../helpers/http.js";
import { eventually, kafkaConfig, type RunningAgent, startAgent } from "../helpers/kafkaAgent.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

async function closedPort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const running: RunningAgent[] = [];
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
});

describe("Kafka broker unreachable", () => {
  it("the aggregator is not ready but serves /metrics and /healthz, with the Kafka series at 0", async () => {
    const bootstrap = `127.0.0.1:${await closedPort()}`;
    const a = await startAgent(
      kafkaConfig({ bootstrap, group: "g", topics: { predictions: "p", labels: "l" }, ingest: true }),
    );
    running.push(a);
    const base = `http://127.0.0.1:${a.addr.metrics.port}`;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await a.readyz()).toBe(503);
    expect((await send(`${base}/healthz`)).status).toBe(200);
    const m = await a.metrics();
    for (const topic of ["p", "l"])
      for (const outcome of [
        "applied",
        "duplicate",
        "malformed_json",
        "wrong_shape",
        "unknown_model",
        "invalid",
      ])
        expect(metricValue(m, "infermon_kafka_messages_total", { topic, outcome })).toBe(0);
    // the ingest keeps working
    const r = await send(`http://127.0.0.1:${a.addr.ingest?.port}/v1/labels`, {
      body: JSON.stringify({ model: "credit", id: "x", label: "1" }),
    });
    expect(r.status).toBeLessThan(300);
  });

  it("the sidecar's producer is bounded and never blocks: beyond its buffer, events are counted drops", async () => {
    const registry = new Registry();
    const p = new PredictionPublisher({
      brokers: [`127.0.0.1:${await closedPort()}`],
      topic: "predictions",
      metrics: new KafkaMetrics(registry),
      maxBuffered: 10,
    });
    const e: InferenceEvent = { model: "credit", version: "1", id: "a", features: { x: 1 }, time: 0 };
    const t0 = performance.now();
    const taken = Array.from({ length: 25 }, (_, i) => p.offer({ ...e, id: `id-${i}` }));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(taken.filter(Boolean).length).toBe(10);
    const value = async (outcome: string) =>
      metricValue(parseMetrics(await registry.metrics()), "infermon_kafka_messages_total", {
        topic: "predictions",
        outcome,
      });
    expect(await value("dropped")).toBe(15);
    expect(await value("published")).toBe(0);
    await p.close(200);
    // what was still buffered at close is counted too: nothing disappears silently
    await eventually(
      async () => ((await value("dropped")) ?? 0) + ((await value("failed")) ?? 0) === 25,
      5_000,
    );
  });
});
