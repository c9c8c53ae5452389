// Issue #16 §3: slow and stalled clients cannot pin memory. Connections that send part of a large
// body and go silent are closed within read_timeout (408), the bytes they held are given back, and
// the agent's RSS returns near its baseline; while they hang, everything they buffer stays under
// limits.max_buffered_bytes (the ingest answers 503 past it, the tap passes bodies through uncopied).
import { readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const MiB = 1024 * 1024;
const BUDGET = 64 * MiB;

let upstream: ModelServer;
let agent: AgentProcess;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1]) / 1024;
}

/** A connection that sends headers and `sent` bytes of a body of `declared` bytes, then stalls. */
function stall(port: number, path: string, declared: number | "chunked", sent: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" }, () => {
      const length = declared === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${declared}`;
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
      const chunk = Buffer.alloc(sent, 0x20);
      s.write(
        declared === "chunked" ? Buffer.concat([Buffer.from(`${sent.toString(16)}\r\n`), chunk]) : chunk,
      );
      resolve(s);
    });
    s.on("error", () => {}); // the agent closing it is the point
    s.resume(); // read the answer (408/503), so the end of the connection is seen
    s.once("error", reject);
  });
}

const closed = (s: Socket) =>
  new Promise<number>((resolve) => {
    const t0 = Date.now();
    if (s.destroyed || s.readyState === "closed") resolve(0);
    s.once("close", () => resolve(Date.now() - t0));
  });

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = (await send(`http://127.0.0.1:${agent.ports.metrics}/metrics`)).body.toString();
  return metricValue(parseMetrics(text), name, labels) ?? 0;
}

beforeAll(async () => {
  upstream = await startModelServer();
  const { dir } = writeFixture({ upstream: upstream.url, ingest: true });
  const file = join(dir, "infermon.yaml");
  const text = readFileSync(file, "utf8")
    .replace('ingest: {listen: "127.0.0.1:0"}', 'ingest: {listen: "127.0.0.1:0", read_timeout: 3s}')
    .replace("timeout: 5s}", "timeout: 5s, read_timeout: 3s}")
    .concat(`limits: {max_buffered_bytes: ${BUDGET}}\n`);
  writeFileSync(file, text);
  agent = await startAgent(file);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await upstream?.close();
});

describe("stalled request bodies", () => {
  it("ingest: held bytes stay under the budget, connections close within read_timeout, RSS comes back", async () => {
    const pid = agent.child.pid as number;
    const baseline = rssMiB(pid);
    // 30 connections announce 16 MiB − 1 and go silent after 4 MiB; 10 send chunked bodies
    const sockets = await Promise.all([
      ...Array.from({ length: 30 }, () =>
        stall(agent.ports.ingest as number, "/v1/events", 16 * MiB - 1, 4 * MiB),
      ),
      ...Array.from({ length: 10 }, () =>
        stall(agent.ports.ingest as number, "/v1/labels", "chunked", 4 * MiB),
      ),
    ]);
    const ends = sockets.map(closed);
    await new Promise((r) => setTimeout(r, 1500));
    const during = rssMiB(pid);
    const buffered = await metric("infermon_buffered_bytes", {});
    expect(buffered).toBeLessThanOrEqual(BUDGET);
    // what did not fit was refused before it was held
    expect(
      await metric("infermon_listener_rejected_total", { listener: "ingest", reason: "memory_budget" }),
    ).toBeGreaterThan(0);
    const waited = await Promise.all(ends);
    // read_timeout 3 s, checked every 0.75 s (plus the time a busy machine takes to read 40 heads);
    // Node's default request timeout would have held them for 300 s
    expect(Math.max(...waited)).toBeLessThan(10_000);
    expect(
      await metric("infermon_listener_rejected_total", { listener: "ingest", reason: "read_timeout" }),
    ).toBeGreaterThan(0);
    expect(await metric("infermon_buffered_bytes", {})).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssMiB(pid);
    // without the budget 30 × 16 MiB would have been held (+450 MiB in the probe)
    expect(during - baseline).toBeLessThan(BUDGET / MiB + 64);
    expect(after - baseline).toBeLessThan(BUDGET / MiB + 16);
    // and the ingest still answers
    const r = await send(`http://127.0.0.1:${agent.ports.ingest}/v1/labels`, {
      body: '{"model":"credit","id":"x","label":"1"}',
    });
    expect(r.status).toBe(202);
    console.log(
      `ingest stall: RSS baseline ${baseline.toFixed(0)} MiB, during ${during.toFixed(0)}, after ${after.toFixed(0)}`,
    );
  }, 30_000);

  it("tap: stalled bodies are released within read_timeout; past the budget bodies pass through uncopied", async () => {
    const pid = agent.child.pid as number;
    const baseline = rssMiB(pid);
    const tap = agent.ports.tap as number;
    // 200 connections each announce 1 MiB − 1 (a body the tap reads whole) and stall after 512 KiB
    const sockets = await Promise.all(
      Array.from({ length: 200 }, () => stall(tap, "/v2/models/credit/infer", MiB - 1, 512 * 1024)),
    );
    const ends = sockets.map(closed);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await metric("infermon_buffered_bytes", {})).toBeLessThanOrEqual(BUDGET);
    expect(await metric("infermon_events_dropped_total", { reason: "memory_budget" })).toBeGreaterThan(0);
    const waited = await Promise.all(ends);
    // read_timeout 3 s from each request's start (the agent reads 200 heads in turn on a busy
    // machine), checked every 0.75 s; Node's default would have held them for 300 s
    expect(Math.max(...waited)).toBeLessThan(10_000);
    expect(
      await metric("infermon_listener_rejected_total", { listener: "tap", reason: "read_timeout" }),
    ).toBeGreaterThan(0);
    expect(await metric("infermon_buffered_bytes", {})).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssMiB(pid);
    expect(after - baseline).toBeLessThan(BUDGET / MiB + 16);
    // the proxy still proxies and analyses
    const r = await send(`http://127.0.0.1:${tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(1))]),
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
  }, 30_000);
});
