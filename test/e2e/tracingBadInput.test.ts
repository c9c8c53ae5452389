// Tracing's bad input through the CLI: no OTLP receiver reachable (the agent keeps serving, spans
// wait in a bounded queue and are dropped, ONE warning), and OTEL_* values that cannot be
// understood (exit 2 naming the variable, no stack trace, no secret echoed).
import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { startAgent } from "../helpers/agentProcess.js";
import { CLI, cliTimeout } from "../helpers/cli.js";
import { send } from "../helpers/http.js";
import { startModelServer } from "../helpers/modelServer.js";
import { freePort } from "../helpers/peerProcess.js";

function tracedFixture(upstream = "http://127.0.0.1:1"): string {
  const { file } = writeFixture({ upstream });
  appendFileSync(file, "tracing: {enabled: true, sample_ratio: 1.0}\n");
  return file;
}

describe("no OTLP receiver reachable", () => {
  it("keeps serving every request and logs one warning, not one per span or batch", async () => {
    const upstream = await startModelServer();
    const dead = await freePort();
    const agent = await startAgent(tracedFixture(upstream.url), {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${dead}`,
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_BSP_MAX_QUEUE_SIZE: "256",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "64",
      OTEL_EXPORTER_OTLP_TIMEOUT: "500",
    });
    try {
      const url = `http://127.0.0.1:${agent.ports.tap}/v2/models/credit/infer`;
      const body = oipRequest([creditRow(rng(1))]);
      const statuses: number[] = [];
      // 1,500 requests in waves of 50 over a few seconds: many failed batches, far more spans than the queue
      for (let wave = 0; wave < 30; wave++) {
        const rs = await Promise.all(Array.from({ length: 50 }, () => send(url, { body })));
        statuses.push(...rs.map((r) => r.status));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(statuses).toEqual(Array(1500).fill(200));
      const warnings = () =>
        agent.lines().filter((l) => String(l.msg).startsWith("traces cannot be exported"));
      for (let i = 0; i < 100 && warnings().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatchObject({
        level: 40,
        endpoint: `http://127.0.0.1:${dead}`,
        max_queue_size: 256,
      });
      // still serving after the failures
      expect((await send(url, { body })).status).toBe(200);
      expect(agent.lines().filter((l) => l.level === 50)).toEqual([]);
      expect(await agent.stop()).toBe(0);
      expect(agent.lines().filter((l) => String(l.msg).startsWith("traces cannot be exported"))).toHaveLength(
        1,
      );
    } finally {
      await agent.stop();
      await upstream.close();
    }
  }, 120_000);
});

describe("invalid OTEL_* values", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ OTEL_TRACES_SAMPLER: "sometimes" }, /OTEL_TRACES_SAMPLER: must be one of always_on, .*"sometimes"/],
    [
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" },
      /OTEL_TRACES_SAMPLER_ARG: must be a number in \[0, 1\]/,
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, /OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL/],
    [
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" },
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: .*must be grpc/,
    ],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: "-5" }, /OTEL_BSP_MAX_QUEUE_SIZE: must be an integer ≥ 1/],
    [{ OTEL_SDK_DISABLED: "maybe" }, /OTEL_SDK_DISABLED: must be true or false/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "authorization" }, /OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value/],
  ];
  it.each(cases)("%o: exit 2 naming the variable", (env, message) => {
    const r = spawnSync(process.execPath, [CLI, "run", "-c", tracedFixture()], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("never echoes an OTLP header value, even a malformed one", { timeout: cliTimeout(1) }, () => {
    const r = spawnSync(process.execPath, [CLI, "run", "-c", tracedFixture()], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%zzs3cr3t" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /OTEL_EXPORTER_OTLP_HEADERS: entry 1 \(authorization\) has a malformed %-escape/,
    );
    expect(r.stderr + r.stdout).not.toContain("s3cr3t");
  });
});
