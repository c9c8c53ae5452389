// The installable package: `npm pack` makes a tarball that `npm install -g` installs into a clean
// prefix, away from this checkout, and the installed `infermon demo` runs the whole loop. Nothing
// is published; npm's cache (warm from the CI's own install) serves the dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

let work: string;
let tarball: string;
let packOutput: string;

const npm = (args: string[], cwd: string, timeout = 280_000) =>
  spawnSync("npm", args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, npm_config_prefer_offline: "true", npm_config_update_notifier: "false" },
  });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "infermon-pack-"));
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) npm(["run", "-s", "build"], ROOT);
  // `npm test` has just built dist/; the prepare hook (the same tsc build) is not run twice
  const r = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
  packOutput = `${r.stdout}${r.stderr}`;
  const name = readdirSync(work).find((f) => f.endsWith(".tgz"));
  tarball = name ? join(work, name) : "";
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 300_000);

describe("npm pack → npm install -g", () => {
  it("packs the built CLI, the license and the docs, not the sources or tests", () => {
    expect(tarball, packOutput).not.toBe("");
    const [info] = JSON.parse(packOutput.slice(packOutput.indexOf("["))) as { files: { path: string }[] }[];
    const paths = (info?.files ?? []).map((f) => f.path);
    expect(paths).toContain("dist/cli/main.js");
    expect(paths).toContain("LICENSE");
    expect(paths).toContain("README.md");
    expect(paths.filter((p) => /^(src|test|bench)\//.test(p) || p.endsWith(".map"))).toEqual([]);
    expect(paths).not.toContain("dist/.tsbuildinfo"); // the incremental build's state
  });

  it("installs globally into a clean prefix, and the installed `infermon demo` works", () => {
    expect(tarball, packOutput).not.toBe("");
    const prefix = join(work, "prefix");
    const elsewhere = join(work, "elsewhere");
    mkdirSync(elsewhere);
    const install = npm(["install", "-g", "--no-audit", "--no-fund", "--prefix", prefix, tarball], elsewhere);
    expect(install.status, `${install.stdout}${install.stderr}`).toBe(0);
    const bin = join(prefix, "bin", "infermon");
    expect(existsSync(bin)).toBe(true);
    const version = spawnSync(bin, ["--version"], { cwd: elsewhere, encoding: "utf8" });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // a short demo: toy model, tap and drifting traffic, from the installed files only
    const demo = spawnSync(
      bin,
      ["demo", "--duration", "6s", "--port", "0", "--metrics-port", "0", "--rate", "40"],
      {
        cwd: elsewhere,
        encoding: "utf8",
        timeout: 90_000,
        env: { PATH: `${join(prefix, "bin")}:/usr/bin:/bin`, HOME: work },
      },
    );
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/\d+ requests through the tap \(0 failed\)/);
    expect(demo.stdout).toMatch(/^\s*\d+s\s+(normal|drifted)/m);
  }, 300_000);
});
