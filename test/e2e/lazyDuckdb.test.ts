// The agent never loads the batch engine: DuckDB (a native library of tens of MB) is imported only
// by `baseline`, `drift` and `profile` when they run. Checked two ways: the static module graph of
// the CLI and of `run`'s implementation, and the shared libraries mapped into a running
// `infermon run`. Also: the entry point loads no command's implementation (each is imported when
// its command runs), so `--help` and usage errors do not pay for the agent, the OpenTelemetry SDK,
// the generators or DuckDB.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { cliTimeout } from "../helpers/cli.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const root = join(import.meta.dirname, "../..");
const main = join(root, "dist/cli/main.js");

beforeAll(() => {
  const b = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (b.status !== 0) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
}, 120_000);

/** Modules reachable from `file` through static imports only (dynamic `import()` excluded). */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(
    /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)";|^\s*import\s+"([^"]+)";/gms,
  )) {
    const spec = (m[1] ?? m[2]) as string;
    if (spec.startsWith(".")) staticGraph(resolve(dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

const mapsDuckdb = (pid: number) => /duckdb/i.test(readFileSync(`/proc/${pid}/maps`, "utf8"));

const runAction = join(root, "dist/cli/actions/run.js");

describe("the CLI's entry point loads command implementations lazily", () => {
  it("registers every command without importing its implementation", () => {
    const graph = [...staticGraph(main)];
    expect(graph.some((m) => m.endsWith("dist/cli/runCommand.js"))).toBe(true);
    expect(graph.filter((m) => m.includes("/dist/cli/actions/"))).toEqual([]);
    const heavy =
      /^(@duckdb\/|@opentelemetry\/|@grafana\/|@kubernetes-models\/|kafkajs|pino|prom-client|undici)/;
    expect(graph.filter((m) => heavy.test(m))).toEqual([]);
    expect(graph.filter((m) => m.endsWith("dist/cli/agent.js"))).toEqual([]);
  });

  it("still lists every command and its options in --help", { timeout: cliTimeout(2) }, () => {
    const help = spawnSync(process.execPath, [main, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    for (const c of ["validate", "run", "baseline", "drift", "profile", "generate", "routes-test", "demo"])
      expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    const baseline = spawnSync(process.execPath, [main, "baseline", "--help"], { encoding: "utf8" });
    expect(baseline.stdout).toContain("--resamples <n>");
    expect(baseline.stdout).toContain('(default: "1000")');
    expect(baseline.stdout).toContain("--memory-limit <size>");
  });
});

describe("DuckDB stays out of the agent", () => {
  it("is not in the static module graph of the CLI or of `run`'s implementation", () => {
    const graph = [...staticGraph(main), ...staticGraph(runAction)];
    // the graph does reach the agent: the check looks at the right modules
    expect(graph.some((m) => m.endsWith("dist/cli/agent.js"))).toBe(true);
    expect(graph.some((m) => m.startsWith("@opentelemetry/"))).toBe(true);
    expect(graph.filter((m) => m.startsWith("@duckdb/"))).toEqual([]);
  });

  let upstream: ModelServer;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    upstream = await startModelServer();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await upstream.close();
  });

  it("is not mapped into a running `infermon run`", { timeout: cliTimeout(1) }, async () => {
    const { file } = writeFixture({ upstream: upstream.url });
    const c = spawn(process.execPath, [main, "run", "-c", file], { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    await new Promise<void>((ok, fail) => {
      let out = "";
      c.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes('"agent started"')) ok();
      });
      c.once("exit", (code) => fail(new Error(`exited ${code}`)));
    });
    expect(mapsDuckdb(c.pid as number)).toBe(false);
  });

  it("is mapped once the batch engine opens (the check can see it)", async () => {
    const probe = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { Engine } = await import(${JSON.stringify(join(root, "dist/batch/duckdbEngine.js"))});
         const e = await Engine.open(); process.stdout.write("open\\n"); setTimeout(() => e.close(), 60_000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((ok) => probe.stdout?.once("data", () => ok()));
      expect(mapsDuckdb(probe.pid as number)).toBe(true);
    } finally {
      probe.kill("SIGKILL");
    }
  });
});
