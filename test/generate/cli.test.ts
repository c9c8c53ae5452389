// `infermon generate` through the built CLI: the happy path, bad input (exit 2 naming the key)
// and an output directory that cannot be written (exit 3, nothing half-written).
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cliTimeout } from "../helpers/cli.js";
import { exampleData, ROOT, removeTempDirs, snapshot, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const CLI = join(ROOT, "dist/cli/main.js");

/** Newest modification time under a directory. */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((t, e) => Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
}

// `npm test` builds first; when run alone (npx vitest run test/generate) build a stale dist/
beforeAll(() => {
  if (!existsSync(CLI) || newest(join(ROOT, "src")) > statSync(CLI).mtimeMs) {
    execSync("npm run -s build", { cwd: ROOT, stdio: "inherit" });
  }
}, 120_000);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeConfig(mutate: (d: Record<string, unknown>) => void): string {
  const d = exampleData();
  mutate(d);
  const dir = tempDir("cfg");
  const file = join(dir, "infermon.yaml");
  writeFileSync(file, stringify(d));
  return file;
}

const alerting = (d: Record<string, unknown>) => d.alerting as Record<string, unknown>;
const model0 = (d: Record<string, unknown>) =>
  (d.models as Record<string, unknown>[])[0] as Record<string, unknown>;

describe("infermon generate (CLI)", () => {
  it("writes the artifacts and prints a summary; a second run is byte-identical", {
    timeout: cliTimeout(2),
  }, () => {
    const out = tempDir("out");
    const first = cli(["generate", "-c", "examples/infermon.yaml", "-o", out]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^wrote \d+ files to /);
    expect(first.stdout).toContain("alerts/:");
    const before = snapshot(out);
    expect(cli(["generate", "-c", "examples/infermon.yaml", "-o", out]).status).toBe(0);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(out).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it.each([
    ["not-a-url", "alerting.runbook_base_url"],
    ["ftp://example.com/runbooks", "alerting.runbook_base_url"],
  ])("runbook_base_url %s: exit 2 naming the key", (value, key) => {
    const file = writeConfig((d) => {
      alerting(d).runbook_base_url = value;
    });
    const r = cli(["generate", "-c", file, "-o", tempDir("out")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(key);
  });

  it("an objective outside (0, 100): exit 2 naming the key", { timeout: cliTimeout(1) }, () => {
    const file = writeConfig((d) => {
      (model0(d).slo as Record<string, Record<string, unknown>>).availability = { objective: 100 };
    });
    const r = cli(["generate", "-c", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("models[0].slo.availability.objective");
  });

  it("an owner without a route: exit 2 naming the key", { timeout: cliTimeout(1) }, () => {
    const file = writeConfig((d) => {
      model0(d).owner = "nobody";
    });
    const r = cli(["generate", "-c", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("models[0].owner");
  });

  it("an output directory that cannot be created: exit 3 with a clear message, nothing written", {
    timeout: cliTimeout(1),
  }, () => {
    const dir = tempDir("blocked");
    writeFileSync(join(dir, "file"), "x");
    const r = cli(["generate", "-c", "examples/infermon.yaml", "-o", join(dir, "file", "out")]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot write to output directory .*: (ENOTDIR|EEXIST)/);
    expect(r.stderr).not.toContain("    at ");
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("keeps unrelated files in the output directory", { timeout: cliTimeout(1) }, () => {
    const out = tempDir("out");
    mkdirSync(join(out, "deploy"));
    writeFileSync(join(out, "deploy", "Dockerfile"), "FROM scratch\n");
    expect(cli(["generate", "-c", "examples/infermon.yaml", "-o", out]).status).toBe(0);
    expect(readFileSync(join(out, "deploy", "Dockerfile"), "utf8")).toBe("FROM scratch\n");
    expect(existsSync(join(out, "alerts", "alertmanager.yaml"))).toBe(true);
  });

  it("in a directory holding users' files: refuses naming the one in the way, exit 2, touching nothing", () => {
    const out = tempDir("users");
    const mine: Record<string, string> = {
      "deploy/kubernetes/model-deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
      "alerts/team.rules.yaml": "groups: []\n",
      "dashboards/mine.json": '{"title": "mine"}\n',
      "deploy/Dockerfile": "FROM scratch\n",
      // where generate writes, without its header
      "alerts/drift.rules.yaml": "groups: [] # hand-written\n",
    };
    for (const [rel, text] of Object.entries(mine)) {
      mkdirSync(join(out, rel, ".."), { recursive: true });
      writeFileSync(join(out, rel), text);
    }
    const before = snapshot(out);
    const refused = cli(["generate", "-c", "examples/infermon.yaml", "-o", out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(join(out, "alerts/drift.rules.yaml"));
    expect(refused.stderr).toContain("nothing was changed");
    expect(refused.stderr).not.toContain("team.rules.yaml");
    expect(snapshot(out)).toEqual(before);

    // out of the way: generate writes, and every other file of the user's stays as it was
    rmSync(join(out, "alerts/drift.rules.yaml"));
    const ok = cli(["generate", "-c", "examples/infermon.yaml", "-o", out, "--prune"]);
    expect(ok.status, ok.stderr).toBe(0);
    for (const [rel, text] of Object.entries(mine))
      if (rel !== "alerts/drift.rules.yaml") expect(readFileSync(join(out, rel), "utf8")).toBe(text);
    expect(readFileSync(join(out, "alerts/drift.rules.yaml"), "utf8")).toMatch(/^# Code generated/);
  }, 120_000);

  it("stale generated files stay (with a warning) unless --prune is given", {
    timeout: cliTimeout(3),
  }, () => {
    const out = tempDir("stale");
    expect(cli(["generate", "-c", "examples/infermon.yaml", "-o", out]).status).toBe(0);
    const slo = readdirSync(join(out, "slo"));
    expect(slo.length).toBeGreaterThan(1);
    // a configuration without the second model's SLOs
    const file = writeConfig((d) => {
      const models = d.models as Record<string, unknown>[];
      for (const m of models) m.reference = join(ROOT, "examples", m.reference as string);
      for (const m of models.slice(1)) delete m.slo;
    });
    const gone = slo.filter(
      (f) => f !== `${(exampleData().models as { name: string }[])[0]?.name}.rules.yaml`,
    );
    expect(gone.length).toBeGreaterThan(0);
    const kept = cli(["generate", "-c", file, "-o", out]);
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stderr).toContain("--prune");
    for (const f of gone) {
      expect(kept.stderr).toContain(`slo/${f}`);
      expect(existsSync(join(out, "slo", f))).toBe(true);
    }
    writeFileSync(join(out, "slo", "team.rules.yaml"), "groups: []\n");
    const pruned = cli(["generate", "-c", file, "-o", out, "--prune"]);
    expect(pruned.status, pruned.stderr).toBe(0);
    for (const f of gone) expect(existsSync(join(out, "slo", f))).toBe(false);
    expect(pruned.stdout).toContain(`removed slo/${gone[0]}`);
    expect(readFileSync(join(out, "slo", "team.rules.yaml"), "utf8")).toBe("groups: []\n");
  });
});
