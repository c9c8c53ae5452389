// Issue #16 §6: Kafka with SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) over TLS, and mutual TLS, against
// the real broker the other Kafka tests run, with a SASL_SSL listener and an SSL listener that
// requires client certificates (certificates made by openssl at test time, PEM keystores).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/cli/agent.js";
import {
  eventually,
  kafkaConfig,
  labelMessages,
  predictionMessages,
  produce,
  type RunningAgent,
  startAgent,
} from "../helpers/kafkaAgent.js";
import { type Broker, createTopics, KAFKA_USER, requireKafka, startBroker } from "../helpers/kafkaBroker.mjs";

const run = requireKafka();
let broker: Broker;
let dir: string;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  if (!run) return;
  broker = await startBroker({ partitions: 1, security: true });
  dir = join(broker.certs?.ca ?? "", "..");
  writeFileSync(join(dir, "kafka-password"), `${KAFKA_USER.password}\n`);
  writeFileSync(join(dir, "wrong-password"), "not-the-password\n");
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await broker?.stop();
});

async function topics(prefix: string) {
  const t = { predictions: `${prefix}.predictions`, labels: `${prefix}.labels` };
  await createTopics(broker.bootstrap, [{ topic: t.predictions }, { topic: t.labels }]);
  return t;
}

const tls = () => `tls_config: {ca_file: "${broker.certs?.ca}"}`;
const sasl = (mechanism: string, file = "kafka-password") =>
  `sasl: {mechanism: ${mechanism}, username: ${KAFKA_USER.username}, password_file: "${join(dir, file)}"}`;

describe.runIf(run)("Kafka over SASL_SSL and mutual TLS", () => {
  for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"])
    it(`an aggregator joins predictions and labels over SASL_SSL with ${mechanism}`, async () => {
      const t = await topics(`sec-${mechanism}`);
      const a = await startAgent(
        kafkaConfig({
          bootstrap: broker.saslSsl as string,
          group: `g-${mechanism}`,
          topics: t,
          extra: `${sasl(mechanism)}, ${tls()}`,
        }),
      );
      agents.push(a);
      await produce(broker.bootstrap, t.predictions, predictionMessages(50, mechanism));
      await produce(broker.bootstrap, t.labels, labelMessages(50, mechanism));
      await eventually(
        async () =>
          (await a.value("infermon_labels_total", {
            model: "credit",
            outcome: "matched",
            source: "kafka",
          })) === 50,
        60_000,
        "50 joins",
      );
      expect(await a.readyz()).toBe(200);
    }, 120_000);

  it("a sidecar publishes over mutual TLS; an aggregator on SASL_SSL joins what it sent", async () => {
    const t = await topics("sec-mtls");
    const mtls = `tls_config: {ca_file: "${broker.certs?.ca}", cert_file: "${broker.certs?.clientCert}", key_file: "${broker.certs?.clientKey}"}`;
    const sidecar = await startAgent(
      kafkaConfig({
        bootstrap: broker.ssl as string,
        group: "g-mtls-side",
        topics: { predictions: t.predictions },
        publish: true,
        ingest: true,
        extra: mtls,
      }),
    );
    agents.push(sidecar);
    const agg = await startAgent(
      kafkaConfig({
        bootstrap: broker.saslSsl as string,
        group: "g-mtls-agg",
        topics: t,
        extra: `${sasl("scram-sha-512")}, ${tls()}`,
      }),
    );
    agents.push(agg);
    const { send } = await import("../helpers/http.js");
    const ingest = `http://127.0.0.1:${sidecar.addr.ingest?.port}/v1/events`;
    const events = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        model: "credit",
        id: `m-${i}`,
        features: { income: 50000, age: 30, score: 700, region: "north" },
        prediction: 0.9,
      }),
    );
    expect((await send(ingest, { body: events.join("\n") })).status).toBe(202);
    await eventually(
      async () =>
        (await sidecar.value("infermon_kafka_messages_total", {
          topic: t.predictions,
          outcome: "published",
        })) === 20,
      60_000,
      "published over mTLS",
    );
    await produce(
      broker.bootstrap,
      t.labels,
      Array.from({ length: 20 }, (_, i) => ({
        key: `m-${i}`,
        value: JSON.stringify({ model: "credit", id: `m-${i}`, label: "1" }),
      })),
    );
    await eventually(
      async () =>
        (await agg.value("infermon_labels_total", {
          model: "credit",
          outcome: "matched",
          source: "kafka",
        })) === 20,
      60_000,
      "20 joins",
    );
  }, 120_000);

  it("a wrong password is not ready, keeps retrying, and never logs the password", async () => {
    const t = await topics("sec-wrong");
    const lines: string[] = [];
    const { pino } = await import("pino");
    const config = kafkaConfig({
      bootstrap: broker.saslSsl as string,
      group: "g-wrong",
      topics: t,
      extra: `${sasl("scram-sha-256", "wrong-password")}, ${tls()}`,
    });
    const agent = new Agent(config, {
      processMetrics: false,
      logger: pino({ level: "debug" }, { write: (s: string) => lines.push(s) }),
      kafka: { staleMs: 2_000, retries: 1 },
    });
    const addr = await agent.start();
    try {
      const { send } = await import("../helpers/http.js");
      await new Promise((r) => setTimeout(r, 4_000));
      expect((await send(`http://127.0.0.1:${addr.metrics.port}/readyz`)).status).toBe(503);
      expect(lines.join("\n")).toMatch(/SASL|authentication/i);
      expect(lines.join("\n")).not.toContain("not-the-password");
    } finally {
      await agent.stop(100);
    }
  }, 60_000);

  it("a missing password file stops the start with the key named", () => {
    const config = kafkaConfig({
      bootstrap: broker.saslSsl as string,
      group: "g-x",
      topics: { labels: "x" },
      extra: sasl("plain", "nope"),
    });
    expect(() => new Agent(config, { processMetrics: false })).toThrow(
      /kafka\.sasl\.password_file: cannot read/,
    );
  });
});
