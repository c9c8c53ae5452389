// The agent image without a Docker engine (deploy/Dockerfile): the runtime stage's production
// install, run as written in a clean directory holding exactly what the Dockerfile copies, then
// `node dist/cli/main.js run` from a read-only copy as a non-root user: it starts, answers
// /healthz, /readyz and /metrics, and proxies and analyses through its tap. The batch engine
// (DuckDB) is not installed there, and the batch commands say so instead of crashing.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { ROOT } from "../helpers/cli.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const DOCKERFILE = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
/** The Dockerfile's commands, stage by stage (asserted below, so the image and this test agree). */
const BUILD_STAGE = "npm ci --ignore-scripts --no-audit --no-fund && npm run build";
const RUNTIME_INSTALL = "npm ci --omit=dev --no-audit --no-fund && rm -rf node_modules/@duckdb";
/** What the runtime stage copies from the context (besides dist/ from the build stage). */
const RUNTIME_FILES = ["package.json", "package-lock.json", "scripts/prepare.mjs", "LICENSE"];
/** The image's user: not root, and no home directory it could write to. */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let dir: string;
let install: { status: number | null; output: string };
let upstream: ModelServer;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js")))
    execFileSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "inherit" });
  dir = mkdtempSync(join(tmpdir(), "infermon-image-"));
  for (const f of RUNTIME_FILES) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
  // as the image runs it: npm's cache warm from the CI's own install, nothing else shared
  const r = spawnSync("sh", ["-c", RUNTIME_INSTALL], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, npm_config_prefer_offline: "true", NODE_ENV: "production" },
    timeout: 280_000,
  });
  install = { status: r.status, output: `${r.stdout}${r.stderr}` };
  // read-only for everyone (the pod's readOnlyRootFilesystem); root would write anyway, the
  // image's user cannot
  execFileSync("chmod", ["-R", "a+rX,a-w", dir]);
  upstream = await startModelServer();
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  await upstream?.close();
  if (dir) {
    execFileSync("chmod", ["-R", "u+w", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

describe("deploy/Dockerfile", () => {
  it("runs exactly the npm commands this test runs", () => {
    expect(DOCKERFILE).toContain(`RUN ${BUILD_STAGE}\n`);
    expect(DOCKERFILE).toContain(`RUN ${RUNTIME_INSTALL} && npm cache clean --force\n`);
    for (const f of RUNTIME_FILES.filter((x) => x !== "scripts/prepare.mjs"))
      expect(DOCKERFILE).toMatch(new RegExp(`COPY [^\\n]*${f.replace(".", "\\.")}`));
    expect(DOCKERFILE).toContain("COPY --from=build /src/dist ./dist");
    expect(DOCKERFILE).toMatch(/^USER 1000:1000$/m);
    expect(DOCKERFILE).toContain('ENTRYPOINT ["node", "/app/dist/cli/main.js"]');
    expect(DOCKERFILE).toMatch(/^ARG NODE_IMAGE=node:22\.\d+\.\d+-\w+-slim$/m);
    for (const label of ["revision", "version", "source", "licenses", "created", "title"])
      expect(DOCKERFILE).toContain(`org.opencontainers.image.${label}=`);
  });
});

describe("the production install (the image's runtime stage)", () => {
  it("installs without dev dependencies, TypeScript or the batch engine", () => {
    expect(install.status, install.output).toBe(0);
    expect(existsSync(join(dir, "node_modules/prom-client"))).toBe(true);
    for (const absent of ["typescript", "vitest", "@biomejs", "@duckdb"])
      expect(existsSync(join(dir, "node_modules", absent)), absent).toBe(false);
  });

  it("serves as a non-root user from a read-only copy: probes, metrics, and the tap", async () => {
    expect(install.status, install.output).toBe(0);
    // the config lives outside the read-only copy, as the ConfigMap does (readable by all)
    const fixture = writeFixture({ upstream: upstream.url });
    chmodSync(fixture.dir, 0o755);
    agent = await startAgent(
      fixture.file,
      { PATH: "/usr/bin:/bin", HOME: "/nonexistent" },
      {
        cli: join(dir, "dist/cli/main.js"),
        cwd: dir,
        cleanEnv: true,
        ...(isRoot && { uid: NOBODY, gid: NOBODY }),
      },
    );
    const base = (port?: number) => `http://127.0.0.1:${port}`;
    for (const path of ["/healthz", "/readyz"]) {
      const r = await request(`${base(agent.ports.metrics)}${path}`);
      expect(r.statusCode, path).toBe(200);
      await r.body.dump();
    }
    const body = JSON.stringify({
      inputs: [
        { name: "income", shape: [1], datatype: "FP64", data: [50_000] },
        { name: "age", shape: [1], datatype: "INT64", data: [40] },
        { name: "score", shape: [1], datatype: "FP64", data: [700] },
        { name: "region", shape: [1], datatype: "BYTES", data: ["north"] },
      ],
    });
    const proxied = await request(`${base(agent.ports.tap)}/v2/models/credit/infer`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    expect(proxied.statusCode).toBe(200);
    expect(((await proxied.body.json()) as { outputs: unknown[] }).outputs.length).toBeGreaterThan(0);
    let text = "";
    for (let i = 0; i < 50 && !/infermon_events_total\{[^}]*model="credit"[^}]*\} 1/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await request(`${base(agent.ports.metrics)}/metrics`)).body.text();
    }
    expect(text).toMatch(/infermon_events_total\{[^}]*model="credit"[^}]*\} 1/);
    if (isRoot) {
      // it really ran as the unprivileged user
      const status = readFileSync(`/proc/${agent.child.pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${NOBODY}\\s`, "m"));
    }
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr()).toBe("");
    agent = undefined;
  });

  it("the batch commands say the batch engine is not in this install (exit 3), no stack trace", () => {
    expect(install.status, install.output).toBe(0);
    const fixture = writeFixture({});
    const data = join(fixture.dir, "train.csv");
    writeFileSync(data, "income,age,score,region,probability\n1,2,3,north,0.5\n");
    const r = spawnSync(
      process.execPath,
      [
        join(dir, "dist/cli/main.js"),
        "baseline",
        "-c",
        fixture.file,
        "-m",
        "credit",
        "--data",
        data,
        "-o",
        join(fixture.dir, "p.json"),
      ],
      { cwd: dir, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain("@duckdb/node-api");
    expect(r.stderr).not.toContain("    at ");
  });
});
