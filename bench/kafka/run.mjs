// Kafka consume + join on a real broker (one KRaft node on loopback, from .ci/install-kafka.sh):
// N predictions of ~1 KB and their N labels on two co-partitioned topics, consumed from the start
// by one process in one group and applied to the label join and the model monitor, offsets
// committed only after the messages were applied. Clients in the same run, rounds interleaved:
//   kafkajs  — the agent itself (KafkaSource: eachBatch, commit after each batch)
//   platformatic — @platformatic/kafka 1.35 (last Node 20 line) driving the same apply path
//                  (applyMessage → agent.kafkaSink), autocommit off, the last applied offset per
//                  partition committed every 100 ms
// Throughput = messages applied / (last applied − first applied), median of the rounds.
// Run: npm run build && node bench/kafka/run.mjs [--n 100000] [--rounds 3] [--partitions 4] [--write]
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Consumer } from "@platformatic/kafka";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { Agent } from "../../dist/cli/agent.js";
import { loadConfig } from "../../dist/config/load.js";
import { applyMessage } from "../../dist/kafka/consumer.js";
import { createTopics, kafkaVersion, startBroker } from "../../test/helpers/kafkaBroker.mjs";
import { median, rng } from "../lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 100_000);
const ROUNDS = arg("rounds", 3);
const PARTITIONS = arg("partitions", 4);
const WRITE = process.argv.includes("--write");

const broker = await startBroker({ partitions: PARTITIONS, heap: "1g", jvmArgs: [] });
const T = { predictions: "bench.predictions", labels: "bench.labels" };
await createTopics(broker.bootstrap, [
  { topic: T.predictions, numPartitions: PARTITIONS },
  { topic: T.labels, numPartitions: PARTITIONS },
]);

// ~1 KB InferenceEvents (the credit model's four features, its score, and a 1 KB body's worth of
// other fields the monitor does not bin), and their labels
const r = rng(7).next;
const pad = "x".repeat(760);
const predictions = [];
const labels = [];
for (let i = 0; i < N; i++) {
  const id = `req-${i.toString(36)}-${Math.floor(r() * 1e9).toString(36)}`;
  const income = 20_000 + 100_000 * r();
  const score = 300 + 550 * r();
  const value = JSON.stringify({
    model: "credit",
    id,
    time: Date.now(),
    features: {
      income,
      age: Math.floor(18 + 62 * r()),
      score,
      region: ["north", "south", "east", "west"][i % 4],
      notes: pad,
    },
    prediction: r(),
  });
  predictions.push({ key: id, value });
  labels.push({ key: id, value: JSON.stringify({ model: "credit", id, label: r() < 0.5 ? "1" : "0" }) });
}
const eventBytes = Buffer.byteLength(predictions[0].value);

const kafka = new Kafka({ clientId: "bench", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const tp = Date.now();
for (const [topic, msgs] of [
  [T.predictions, predictions],
  [T.labels, labels],
]) {
  const sends = [];
  for (let i = 0; i < msgs.length; i += 2000) {
    sends.push(producer.send({ topic, acks: -1, messages: msgs.slice(i, i + 2000) }));
    if (sends.length >= 8) await sends.shift();
  }
  await Promise.all(sends);
}
await producer.disconnect();
const produceSeconds = (Date.now() - tp) / 1000;

// the example configuration (credit: reference profile, labels, quality), loopback only, no tap
function agentConfig(withKafka, group) {
  const c = loadConfig(fileURLToPath(new URL("../../examples/infermon.yaml", import.meta.url)));
  delete c.tap;
  delete c.ingest;
  c.metrics = { listen: "127.0.0.1:0" };
  c.kafka = withKafka
    ? { brokers: [broker.bootstrap], groupId: group, topics: T, publishPredictions: false }
    : undefined;
  if (!withKafka) delete c.kafka;
  return c;
}

/** Counts what the sink applies: first and last time, and the joins. */
function meter(agent, total) {
  const s = agent.kafkaSink;
  const m = { n: 0, first: 0, last: 0, done: undefined };
  m.done = new Promise((resolve) => {
    const tick = () => {
      const t = performance.now();
      if (m.n === 0) m.first = t;
      m.last = t;
      if (++m.n === total) resolve();
    };
    const p = s.prediction;
    const l = s.label;
    s.prediction = (e) => {
      tick();
      return p(e);
    };
    s.label = (j) => {
      tick();
      return l(j);
    };
  });
  return m;
}

async function joined(agent) {
  const metric = await agent.metrics.registry.getSingleMetricAsString("infermon_labeled_predictions_total");
  return [...metric.matchAll(/^infermon_labeled_predictions_total\{[^}]*\} (\d+)/gm)].reduce(
    (a, x) => a + Number(x[1]),
    0,
  );
}

async function committedAll(group) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of [T.predictions, T.labels]) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [c] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      if (!ends.every((e) => c.partitions.find((p) => p.partition === e.partition)?.offset === e.high))
        return false;
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

async function waitCommitted(group) {
  const deadline = Date.now() + 30_000;
  while (!(await committedAll(group))) {
    if (Date.now() > deadline) throw new Error(`${group}: offsets not all committed`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runKafkajs(round) {
  const group = `bench-kafkajs-${round}`;
  const agent = new Agent(agentConfig(true, group), { processMetrics: false });
  const m = meter(agent, 2 * N);
  await agent.start();
  await m.done;
  await waitCommitted(group);
  const j = await joined(agent);
  await agent.stop(0);
  return { rate: (2 * N) / ((m.last - m.first) / 1000), joined: j };
}

async function runPlatformatic(round) {
  const group = `bench-platformatic-${round}`;
  const agent = new Agent(agentConfig(false), { processMetrics: false });
  const m = meter(agent, 2 * N);
  const consumer = new Consumer({
    groupId: group,
    clientId: "bench-platformatic",
    bootstrapBrokers: [broker.bootstrap],
    autocommit: false,
    maxWaitTime: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const stream = await consumer.consume({ topics: [T.predictions, T.labels], mode: "earliest" });
  const pending = new Map();
  const commit = () => {
    const last = [...pending.values()];
    pending.clear();
    return Promise.all(last.map((msg) => msg.commit()));
  };
  const committer = setInterval(() => {
    commit().catch(() => {});
  }, 100);
  stream.on("data", (msg) => {
    const kind = msg.topic === T.predictions ? "predictions" : "labels";
    applyMessage(kind, msg.value ?? null, msg.key ?? null, agent.kafkaSink, Date.now());
    pending.set(`${msg.topic}:${msg.partition}`, msg); // commit only what was applied
  });
  await m.done;
  clearInterval(committer);
  await commit();
  await waitCommitted(group);
  const j = await joined(agent);
  await stream.close();
  await consumer.close();
  await agent.stop(0);
  return { rate: (2 * N) / ((m.last - m.first) / 1000), joined: j };
}

const results = { kafkajs: [], platformatic: [] };
for (let i = 0; i < ROUNDS; i++) {
  const a = await runKafkajs(i);
  const b = await runPlatformatic(i);
  for (const [k, x] of [
    ["kafkajs", a],
    ["platformatic", b],
  ]) {
    if (x.joined !== N) throw new Error(`${k}: ${x.joined} joins, expected ${N}`);
    results[k].push(x.rate);
  }
  console.error(
    `round ${i + 1}: kafkajs ${a.rate.toFixed(0)} msg/s, @platformatic/kafka ${b.rate.toFixed(0)} msg/s`,
  );
}
await broker.stop();

const k = median(results.kafkajs);
const p = median(results.platformatic);
const fmt = (x) => `${Math.round(x).toLocaleString("en-US")}`;
const lines = [
  `Kafka ${kafkaVersion()} (one KRaft node, ${PARTITIONS} partitions per topic), node ${process.version}, ${os.cpus().length} cores (shared; load average ${os.loadavg()[0].toFixed(1)} at the end), ${new Date().toISOString().slice(0, 16)}Z.`,
  `${N.toLocaleString("en-US")} predictions of ${eventBytes} bytes + ${N.toLocaleString("en-US")} labels per round (produced in ${produceSeconds.toFixed(1)} s), consumed from the start by one process, every prediction joined (checked: ${N.toLocaleString("en-US")} joins) and every offset committed after apply; median of ${ROUNDS} interleaved rounds.`,
  "",
  "| client | messages/s (predictions + labels) | predictions/s | vs kafkajs |",
  "| --- | ---: | ---: | ---: |",
  `| kafkajs 2.2.4 (the agent's KafkaSource) | ${fmt(k)} | ${fmt(k / 2)} | 1.00× |`,
  `| @platformatic/kafka 1.35.0, same apply path | ${fmt(p)} | ${fmt(p / 2)} | ${(p / k).toFixed(2)}× |`,
  "",
  `Rounds (messages/s): kafkajs ${results.kafkajs.map(fmt).join(", ")}; @platformatic/kafka ${results.platformatic.map(fmt).join(", ")}.`,
];
console.log(lines.join("\n"));
if (WRITE) {
  const readme = new URL("../README.md", import.meta.url);
  const text = readFileSync(readme, "utf8");
  const start = "<!-- kafka:start -->";
  const end = "<!-- kafka:end -->";
  const block = `${start}\n${lines.join("\n")}\n${end}`;
  writeFileSync(
    readme,
    text.includes(start)
      ? text.replace(new RegExp(`${start}[\\s\\S]*${end}`), block)
      : `${text.trimEnd()}\n\n## Kafka consume + join\n\nRun: \`npm run build && node bench/kafka/run.mjs --write\` (needs \`bash .ci/install-kafka.sh\`).\n\n${block}\n`,
  );
}
