// `infermon run` as a Kafka-only aggregator (no tap, no ingest): it starts, serves /metrics, is not
// ready while the broker is unreachable, and stops on SIGTERM at once; a sidecar-only Kafka config with
// nothing else to run is refused (exit 2).
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { CLI, cliTimeout, infermon } from "../helpers/cli.js";
import { send } from "../helpers/http.js";

async function closedPort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function config(kafka: string): string {
  const { dir, file } = writeFixture({ tap: false });
  const out = join(dir, "kafka.yaml");
  writeFileSync(out, `${readFileSync(file, "utf8")}\nkafka: ${kafka}\n`);
  return out;
}

describe("infermon run with Kafka only", () => {
  it("runs as an aggregator: /metrics served, /readyz 503 without a broker, SIGTERM exits 0", {
    timeout: cliTimeout(1),
  }, async () => {
    const port = await closedPort();
    const file = config(`{brokers: ["127.0.0.1:${port}"], topics: {predictions: p, labels: l}}`);
    const child = spawn(process.execPath, [CLI, "run", "-c", file, "--grace", "1s"], { stdio: "pipe" });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes("agent started") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const started = JSON.parse(out.split("\n").find((l) => l.includes("agent started")) ?? "{}");
      expect(started.kafka).toEqual({ predictions: "p", labels: "l" });
      const base = `http://${started.metrics}`;
      expect((await send(`${base}/metrics`)).status).toBe(200);
      expect((await send(`${base}/readyz`)).status).toBe(503);
    } finally {
      child.kill("SIGTERM");
    }
    const t0 = Date.now();
    expect(await exited).toBe(0);
    // not held by the Kafka client's retries of the absent broker (~40 s)
    expect(Date.now() - t0).toBeLessThan(8_000);
  });

  it("refuses a config with nothing to run (a Kafka sidecar without tap or ingest)", {
    timeout: cliTimeout(1),
  }, () => {
    const file = config(`{brokers: ["127.0.0.1:9"], topics: {predictions: p}, publish_predictions: true}`);
    const r = infermon(["run", "-c", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to run/);
  });
});
