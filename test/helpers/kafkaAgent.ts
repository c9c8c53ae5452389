// Agents wired to a real broker for the Kafka tests: the agent fixture's models and profiles plus a
// `kafka:` section, and small producers/readers around kafkajs.
import { readFileSync, writeFileSync } from "node:fs";
import { Kafka, logLevel, type Message, Partitioners } from "kafkajs";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/model.js";
import { creditRow, rng, writeFixture } from "./agentFixture.js";
import { send } from "./http.js";
import { metricValue, parseMetrics, type Sample } from "./metricsText.js";

export interface KafkaTopics {
  predictions?: string;
  labels?: string;
}

/** The fixture's config (credit + house-price, no tap) with a kafka section, profiles on disk. */
/** The same configuration as kafkaConfig, written to a file (for `infermon run` as a child process). */
export function kafkaConfigFile(o: Parameters<typeof kafkaConfig>[0]): string {
  const c = kafkaConfig(o);
  const file = `${c.source.replace(/\.yaml$/, "")}-kafka.yaml`;
  writeFileSync(file, kafkaConfigText(o, c.source));
  return file;
}

function kafkaConfigText(o: Parameters<typeof kafkaConfig>[0], file: string): string {
  const topics = Object.entries(o.topics)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  return `${readFileSync(file, "utf8")}
kafka: {brokers: ["${o.bootstrap}"], group_id: ${o.group}, topics: {${topics}}, publish_predictions: ${o.publish ?? false}${o.extra ? `, ${o.extra}` : ""}}
`;
}

export function kafkaConfig(o: {
  bootstrap: string;
  group: string;
  topics: KafkaTopics;
  publish?: boolean;
  ingest?: boolean;
  /** more keys of the kafka section, as YAML flow entries (`sasl: {...}, tls_config: {...}`) */
  extra?: string;
}): Config {
  const { file, dir } = writeFixture({ tap: false, ingest: o.ingest });
  return parseConfig(kafkaConfigText(o, file), file, dir);
}

export interface RunningAgent {
  agent: Agent;
  addr: Addresses;
  metrics(): Promise<Sample[]>;
  value(name: string, match?: Record<string, string>): Promise<number>;
  readyz(): Promise<number>;
  stop(): Promise<void>;
}

export async function startAgent(
  config: Config,
  kafka: { clientId?: string; retries?: number } = {},
): Promise<RunningAgent> {
  const agent = new Agent(config, {
    processMetrics: false,
    kafka: { staleMs: 3_000, sessionTimeoutMs: 6_000, ...kafka },
  });
  const addr = await agent.start();
  const base = `http://127.0.0.1:${addr.metrics.port}`;
  const metrics = async () => parseMetrics((await send(`${base}/metrics`)).body.toString());
  return {
    agent,
    addr,
    metrics,
    value: async (name, match) => metricValue(await metrics(), name, match) ?? 0,
    readyz: async () => (await send(`${base}/readyz`)).status,
    stop: () => agent.stop(200),
  };
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: "test", brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

/** Sends messages (idempotent producer: a retried send is not written twice). */
export async function produce(bootstrap: string, topic: string, messages: Message[]): Promise<void> {
  const p = kafkaClient(bootstrap).producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await p.connect();
  try {
    for (let i = 0; i < messages.length; i += 500)
      await p.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  } finally {
    await p.disconnect();
  }
}

/** `n` credit predictions as the predictions topic carries them, keyed by request id. */
export function predictionMessages(n: number, prefix: string, seed = 7): Message[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const { probability, ...features } = creditRow(r);
    const id = `${prefix}-${i}`;
    return { key: id, value: JSON.stringify({ model: "credit", id, features, prediction: probability }) };
  });
}

/** A label for each prediction id (class "1" for even ones). */
export function labelMessages(n: number, prefix: string): Message[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `${prefix}-${i}`;
    return { key: id, value: JSON.stringify({ model: "credit", id, label: i % 2 === 0 ? "1" : "0" }) };
  });
}

/** Polls `f` until it returns true (or throws after `ms`). */
export async function eventually(f: () => Promise<boolean> | boolean, ms = 20_000, what = "condition") {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Committed offsets of the group equal the topic's end offsets (everything committed). */
export async function allCommitted(bootstrap: string, group: string, topic: string): Promise<boolean> {
  const admin = kafkaClient(bootstrap).admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.every(
      (e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high,
    );
  } catch {
    return false; // e.g. a restarted broker that has no leaders yet
  } finally {
    await admin.disconnect();
  }
}
