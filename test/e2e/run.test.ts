// `infermon run` through the CLI: refuses to start on a bad config or profile (exit 2), serves, and
// on SIGTERM finishes in-flight requests and exits 0.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { cliTimeout } from "../helpers/cli.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const root = join(import.meta.dirname, "../..");
const main = join(root, "dist/cli/main.js");

beforeAll(() => {
  const b = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (b.status !== 0) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
}, 120_000);

function runSync(args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 120_000 });
}

describe("refuses to start", () => {
  it("exits 2 on a bad configuration", { timeout: cliTimeout(1) }, () => {
    const { dir } = writeFixture();
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "service: x\nmodels: []\nbogus: 1\n");
    const r = runSync(["run", "-c", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
  });

  it("exits 2 on an unreadable or invalid profile", { timeout: cliTimeout(2) }, () => {
    const { dir, file, config } = writeFixture();
    writeFileSync(config.models[0]?.reference as string, '{"schema": "something else"}');
    const r = runSync(["run", "-c", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/credit.*profile/);
    writeFileSync(config.models[0]?.reference as string, "{truncated");
    expect(runSync(["run", "-c", file]).status).toBe(2);
    expect(dir).toBeTruthy();
  });
});

describe("cannot listen", () => {
  it("exits 3 without half-running when a port is taken", { timeout: cliTimeout(1) }, async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { dir } = writeFixture();
      const { readFileSync } = await import("node:fs");
      const text = readFileSync(join(dir, "infermon.yaml"), "utf8").replace(
        'tap: {listen: "127.0.0.1:0"',
        `tap: {listen: "127.0.0.1:${port}"`,
      );
      const file = join(dir, "taken.yaml");
      writeFileSync(file, text);
      const r = runSync(["run", "-c", file]);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`cannot open the tap listener on 127.0.0.1:${port} (tap.listen)`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });
});

describe("SIGTERM", () => {
  let upstream: ModelServer;
  let child: ChildProcess;

  beforeAll(async () => {
    upstream = await startModelServer();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await upstream.close();
  });

  it("finishes in-flight requests, then exits 0", { timeout: cliTimeout(1) }, async () => {
    const { file } = writeFixture({ upstream: upstream.url });
    child = spawn(process.execPath, [main, "run", "-c", file, "--grace", "5s"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const logLines = () =>
      stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    // the agent logs pino JSON lines on stdout; the first says where it listens
    const ports = await new Promise<{ tap: number; metrics: number }>((resolve, reject) => {
      child.stdout?.on("data", (c: Buffer) => {
        stdout += c.toString();
        const started = logLines().find((l) => l.msg === "agent started");
        if (started) {
          const port = (k: string) => Number(String(started[k]).split(":").at(-1));
          resolve({ tap: port("tap"), metrics: port("metrics") });
        }
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    expect((await send(`http://127.0.0.1:${ports.metrics}/readyz`)).status).toBe(200);
    const body = oipRequest([creditRow(rng(1))]);
    const inFlight = Array.from({ length: 20 }, () =>
      send(`http://127.0.0.1:${ports.tap}/v2/models/credit/infer?delay=700`, { body }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const m = parseMetrics((await send(`http://127.0.0.1:${ports.metrics}/metrics`)).body.toString());
    expect(metricValue(m, "process_resident_memory_bytes")).toBeGreaterThan(0);
    child.kill("SIGTERM");
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await exited).toBe(0);
    const lines = logLines();
    expect(lines[0]).toMatchObject({ level: 30, name: "infermon", msg: "agent started" });
    expect(lines[0]?.models).toContain("credit");
    const draining = lines.find((l) => l.msg === "draining");
    expect(draining).toMatchObject({ level: 30, signal: "SIGTERM", grace_ms: 5000 });
    expect(draining?.in_flight).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ msg: "stopped" });
    // and it no longer accepts
    await expect(send(`http://127.0.0.1:${ports.tap}/v2/health/live`)).rejects.toThrow();
  });
});
