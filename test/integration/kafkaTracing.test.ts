// Trace context across Kafka, against a real broker and a real Jaeger: a sidecar (`infermon run`
// with kafka.publish_predictions) publishes a traced request's prediction with a `traceparent`
// header naming its tap span, and an aggregator consuming the topic gives each record with trace
// headers an analysis span linked to the producer's span (a record without them gets none).
import { appendFileSync } from "node:fs";
import type { Message } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { send } from "../helpers/http.js";
import { type Jaeger, type JaegerSpan, requireJaeger, startJaeger, tag } from "../helpers/jaeger.js";
import { predictionMessages, produce } from "../helpers/kafkaAgent.js";
import { type Broker, createTopics, requireKafka, startBroker } from "../helpers/kafkaBroker.mjs";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const run = requireKafka() && requireJaeger();
const TOPIC = "traced.predictions";
const TRACING = "tracing: {enabled: true, sample_ratio: 1.0}\n";
const ENV = { OTEL_BSP_SCHEDULE_DELAY: "100" };

describe.runIf(run)("trace context across Kafka (real broker, real Jaeger)", () => {
  let broker: Broker;
  let jaeger: Jaeger;
  let upstream: ModelServer;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    [broker, jaeger, upstream] = await Promise.all([
      startBroker({ partitions: 1 }),
      startJaeger(),
      startModelServer(),
    ]);
    await createTopics(broker.bootstrap, [{ topic: TOPIC, numPartitions: 1 }]);
    const kafka = (extra: string) =>
      `kafka: {brokers: ["${broker.bootstrap}"], topics: {predictions: ${TOPIC}}, ${extra}}\n`;
    const sidecar = writeFixture({ upstream: upstream.url });
    appendFileSync(sidecar.file, kafka("publish_predictions: true") + TRACING);
    const aggregator = writeFixture({ tap: false });
    appendFileSync(aggregator.file, kafka("group_id: traced-aggregator") + TRACING);
    const env = { ...ENV, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp };
    agents.push(...(await Promise.all([startAgent(sidecar.file, env), startAgent(aggregator.file, env)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all([broker?.stop(), jaeger?.stop(), upstream?.close()]);
  });

  /** the aggregator's analysis span for the record with request id `id` */
  async function analysisSpan(id: string, ms = 30_000): Promise<JaegerSpan | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const r = await fetch(
        `${jaeger.query}/api/traces?service=infermon&operation=analyze%20credit&limit=50`,
      );
      const body = (await r.json()) as { data?: { spans: JaegerSpan[] }[] };
      const found = body.data?.flatMap((t) => t.spans).find((s) => tag(s, "infermon.request_id") === id);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  }

  it("links the aggregator's analysis span to the sidecar's tap span through the record's traceparent", async () => {
    const clientTrace = "5b8efff798038103d269b633813fc60c";
    const tap = `http://127.0.0.1:${agents[0]?.ports.tap}`;
    const r = await send(`${tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(11))]),
      headers: {
        "content-type": "application/json",
        "x-request-id": "kafka-traced-1",
        traceparent: `00-${clientTrace}-eee19b7ec3c1b174-01`,
      },
    });
    expect(r.status).toBe(200);
    // the sidecar's server span for this request, as Jaeger has it
    const t = await jaeger.waitForTrace(clientTrace, 2);
    const server = t.spans.find((s) => tag(s, "span.kind") === "server");
    expect(server).toBeDefined();
    const found = await analysisSpan("kafka-traced-1");
    expect(found).toBeDefined();
    expect(tag(found as JaegerSpan, "infermon.source")).toBe("kafka");
    expect(tag(found as JaegerSpan, "messaging.system")).toBe("kafka");
    expect(found?.traceID).not.toBe(clientTrace);
    expect(found?.references).toContainEqual(
      expect.objectContaining({ traceID: clientTrace, spanID: server?.spanID }),
    );
  }, 60_000);

  it("gives a record produced with W3C trace headers a linked span, and one without headers none", async () => {
    const producerTrace = "0c3b8a5d2f1e4a6b9c7d8e0f1a2b3c4d";
    const producerSpan = "1f2e3d4c5b6a7988";
    const [traced, plain] = predictionMessages(2, "kafka-produced", 3) as [Message, Message];
    await produce(broker.bootstrap, TOPIC, [
      { ...traced, headers: { traceparent: `00-${producerTrace}-${producerSpan}-01`, tracestate: "k=v" } },
      plain,
    ]);
    const found = await analysisSpan("kafka-produced-0");
    expect(found).toBeDefined();
    expect(found?.references).toContainEqual(
      expect.objectContaining({ traceID: producerTrace, spanID: producerSpan }),
    );
    // the untraced record was analysed too (after the traced one, same partition) without a span
    expect(await analysisSpan("kafka-produced-1", 2_000)).toBeUndefined();
  }, 60_000);
});
