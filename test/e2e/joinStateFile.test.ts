// Issue #16 §5 without Kafka: with state.file the label join is saved on SIGTERM and read at the next
// start (labels sent after the restart join predictions made before it); a run killed with SIGKILL
// cannot save, and the next start logs and counts what it held (its last heartbeat).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { startAgent } from "../helpers/agentProcess.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

const N = 300;

function events(prefix: string): string {
  return Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      model: "credit",
      id: `${prefix}-${i}`,
      features: { income: 50000 + i, age: 30, score: 700, region: "north" },
      prediction: 0.9,
    }),
  ).join("\n");
}

const labels = (prefix: string) =>
  Array.from({ length: N }, (_, i) =>
    JSON.stringify({ model: "credit", id: `${prefix}-${i}`, label: "1" }),
  ).join("\n");

async function value(port: number, name: string, l: Record<string, string>): Promise<number> {
  const r = await send(`http://127.0.0.1:${port}/metrics`);
  return metricValue(parseMetrics(r.body.toString()), name, l) ?? 0;
}

async function until(f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("state.file", () => {
  it("keeps the join across a SIGTERM restart, and logs what a SIGKILL lost", async () => {
    const { dir, file } = writeFixture({ ingest: true, tap: false });
    const stateFile = join(dir, "join-state.jsonl");
    writeFileSync(file, `${readFileSync(file, "utf8")}state: {file: ${stateFile}, heartbeat: 1s}\n`);

    const a = await startAgent(file);
    expect((await send(`http://127.0.0.1:${a.ports.ingest}/v1/events`, { body: events("p") })).status).toBe(
      202,
    );
    await until(
      async () => (await value(a.ports.metrics, "infermon_label_join_pending", { model: "credit" })) === N,
    );
    expect(await a.stop()).toBe(0);
    expect(existsSync(stateFile)).toBe(true);
    expect(
      a.lines().some((l) => l.msg === "label join state saved: the next start reads it" && l.entries === N),
    ).toBe(true);

    const b = await startAgent(file);
    expect(await value(b.ports.metrics, "infermon_label_join_pending", { model: "credit" })).toBe(N);
    expect(await value(b.ports.metrics, "infermon_label_join_restored_total", { from: "state_file" })).toBe(
      N,
    );
    const r = await send(`http://127.0.0.1:${b.ports.ingest}/v1/labels`, { body: labels("p") });
    expect(JSON.parse(r.body.toString()).matched).toBe(N);
    // new predictions, then the process is killed: nothing can be saved
    await send(`http://127.0.0.1:${b.ports.ingest}/v1/events`, { body: events("q") });
    await until(
      async () => (await value(b.ports.metrics, "infermon_label_join_pending", { model: "credit" })) === N,
    );
    await new Promise((r) => setTimeout(r, 1_500)); // one heartbeat with them
    b.child.kill("SIGKILL");
    await new Promise((r) => b.child.once("exit", r));

    const c = await startAgent(file);
    try {
      const killed = c.lines().find((l) => String(l.msg).startsWith("the previous run ended without saving"));
      expect(killed).toMatchObject({ level: 40, lost: N });
      expect(
        await value(c.ports.metrics, "infermon_label_join_unrecovered_total", { from: "state_file" }),
      ).toBe(N);
      expect(await value(c.ports.metrics, "infermon_label_join_pending", { model: "credit" })).toBe(0);
    } finally {
      expect(await c.stop()).toBe(0);
    }
  }, 120_000);
});
