// Issue #16 §5: the label join survives restarts with Kafka. An aggregator commits, with each
// offset, a checkpoint of what its join still waits for; whoever owns the partition next (the same
// process restarted, or the surviving member after one is SIGKILLed) replays from there into the
// join only. Labels sent after the restart then join the predictions sent before it, and nothing is
// counted twice. Real broker, the agent as a child process (killed with SIGKILL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentProcess, startAgent as startProcess } from "../helpers/agentProcess.js";
import { send } from "../helpers/http.js";
import {
  allCommitted,
  eventually,
  kafkaConfig,
  kafkaConfigFile,
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
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (run) broker = await startBroker({ partitions: 2 });
}, 90_000);

afterAll(async () => {
  for (const f of cleanup) await f().catch(() => {});
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

async function value(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await send(`http://127.0.0.1:${port}/metrics`)).body.toString();
  return metricValue(parseMetrics(text), name, labels) ?? 0;
}

async function child(group: string, t: { predictions: string; labels: string }): Promise<AgentProcess> {
  const a = await startProcess(kafkaConfigFile({ bootstrap: broker.bootstrap, group, topics: t }));
  cleanup.push(() => a.stop());
  return a;
}

const matched = (port: number) =>
  value(port, "infermon_labels_total", { model: "credit", outcome: "matched", source: "kafka" });

describe.runIf(run)("join state across restarts (Kafka)", () => {
  for (const signal of ["SIGKILL", "SIGTERM"] as const)
    it(`a restarted aggregator (${signal}) rebuilds its pending predictions and joins their labels`, async () => {
      const t = await topics(`restart-${signal.toLowerCase()}`);
      const group = `restart-${signal.toLowerCase()}`;
      const N = 2_000;
      const a = await child(group, t);
      await produce(broker.bootstrap, t.predictions, predictionMessages(N, "r"));
      await eventually(
        async () => (await value(a.ports.metrics, "infermon_label_join_pending", { model: "credit" })) === N,
        60_000,
        "all pending",
      );
      await eventually(() => allCommitted(broker.bootstrap, group, t.predictions), 30_000, "committed");
      // a checkpoint is measured at most every 2 s: let one cover everything
      await new Promise((r) => setTimeout(r, 2_500));
      a.child.kill(signal);
      await new Promise((r) => a.child.once("exit", r));

      const b = await child(group, t);
      await eventually(
        async () =>
          (await value(b.ports.metrics, "infermon_label_join_restored_total", { from: "kafka" })) >= N,
        90_000,
        "replayed",
      );
      expect(await value(b.ports.metrics, "infermon_label_join_pending", { model: "credit" })).toBe(N);
      // nothing the first run applied is applied (counted) again
      expect(
        await value(b.ports.metrics, "infermon_kafka_messages_total", {
          topic: t.predictions,
          outcome: "applied",
        }),
      ).toBe(0);
      expect(
        await value(b.ports.metrics, "infermon_events_total", { model: "credit", source: "kafka" }),
      ).toBe(0);
      await produce(broker.bootstrap, t.labels, labelMessages(N, "r"));
      await eventually(async () => (await matched(b.ports.metrics)) === N, 60_000, `${N} joins`);
      expect(await value(b.ports.metrics, "infermon_label_join_unrecovered_total", { from: "kafka" })).toBe(
        0,
      );
      const lines = b.lines().filter((l) => l.msg === "kafka: label join rebuilt from the partition");
      expect(lines.length).toBe(2);
      await b.stop();
    }, 240_000);

  it("after one of two members is SIGKILLed, the survivor rebuilds its partitions and counts each join once", async () => {
    const t = await topics("restart-members");
    const group = "restart-members";
    const N = 2_000;
    const dying = await child(group, t);
    const survivor: RunningAgent = await startAgent(
      kafkaConfig({ bootstrap: broker.bootstrap, group, topics: t }),
      { clientId: "survivor" },
    );
    cleanup.push(() => survivor.stop());
    // both members hold a partition of each topic
    await eventually(
      () => Object.values(survivor.agent.kafka?.assignment ?? {}).every((p) => p.length === 1),
      60_000,
      "split",
    );
    await produce(broker.bootstrap, t.predictions, predictionMessages(N, "m"));
    await eventually(
      async () =>
        (await value(dying.ports.metrics, "infermon_label_join_pending", { model: "credit" })) +
          (await survivor.value("infermon_label_join_pending", { model: "credit" })) ===
        N,
      60_000,
      "all pending",
    );
    await eventually(() => allCommitted(broker.bootstrap, group, t.predictions), 30_000, "committed");
    await new Promise((r) => setTimeout(r, 2_500));
    dying.child.kill("SIGKILL");
    // the survivor gets the dead member's partitions after its session (10 s) and replays them
    await eventually(
      () => Object.values(survivor.agent.kafka?.assignment ?? {}).every((p) => p.length === 2),
      60_000,
      "takeover",
    );
    await eventually(
      async () => (await survivor.value("infermon_label_join_pending", { model: "credit" })) === N,
      60_000,
      "rebuilt",
    );
    await produce(broker.bootstrap, t.labels, labelMessages(N, "m"));
    await eventually(
      async () =>
        (await survivor.value("infermon_labels_total", {
          model: "credit",
          outcome: "matched",
          source: "kafka",
        })) === N,
      60_000,
      `${N} joins`,
    );
    // each prediction counted for drift once, on one member
    expect(await survivor.value("infermon_label_join_pending", { model: "credit" })).toBe(0);
    expect(
      await survivor.value("infermon_labels_total", {
        model: "credit",
        outcome: "duplicate",
        source: "kafka",
      }),
    ).toBe(0);
  }, 240_000);
});
