// The consumers' own tools check what we generate: promtool (rules lint + unit tests) and
// amtool (config check + one route test per owner × severity). Runs on the example and on a
// variant with Kafka and a model without SLOs or owner.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RouteCase } from "../../src/generate/alertmanager.js";
import { generate } from "../../src/generate/pipeline.js";
import { writeArtifacts } from "../../src/generate/write.js";
import { requireTool } from "../helpers/peers.js";
import { configFrom, EXAMPLE, exampleConfig, removeTempDirs, tempDir, variantData } from "./helpers.js";

afterAll(removeTempDirs);

const hasPromtool = requireTool("promtool");
const hasAmtool = requireTool("amtool");

/** Run a peer tool; resolves with its exit status and output (the tests run concurrently). */
function run(cmd: string, args: string[], cwd: string): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ status: code, out: `${stdout}${stderr}` });
    });
  });
}

const outputs = {
  example: (() => {
    const dir = tempDir("example");
    writeArtifacts(dir, generate(exampleConfig(), { source: EXAMPLE }));
    return dir;
  })(),
  variant: (() => {
    const dir = tempDir("variant");
    writeArtifacts(dir, generate(configFrom(variantData()), { source: "variant.yaml" }));
    return dir;
  })(),
};

const ruleFiles = (dir: string) => [
  ...readdirSync(join(dir, "alerts"))
    .filter((f) => f.endsWith(".rules.yaml"))
    .map((f) => `alerts/${f}`),
  ...readdirSync(join(dir, "slo")).map((f) => `slo/${f}`),
];
const testFiles = (dir: string) =>
  readdirSync(join(dir, "alerts/tests"))
    .filter((f) => f.endsWith(".test.yaml"))
    .map((f) => `alerts/tests/${f}`);

for (const [name, dir] of Object.entries(outputs)) {
  describe.skipIf(!hasPromtool).concurrent(`promtool on the ${name}`, () => {
    it("check rules --lint=all passes on every rules file", async () => {
      const r = await run(
        "promtool",
        ["check", "rules", "--lint=all", "--lint-fatal", ...ruleFiles(dir)],
        dir,
      );
      expect(r.status, r.out).toBe(0);
    });
    for (const file of testFiles(dir)) {
      it(`test rules ${file}`, { timeout: 180_000 }, async () => {
        const r = await run("promtool", ["test", "rules", file], dir);
        expect(r.status, r.out).toBe(0);
      });
    }
  });

  describe.skipIf(!hasAmtool).concurrent(`amtool on the ${name}`, () => {
    it("check-config passes", async () => {
      const r = await run("amtool", ["check-config", "alerts/alertmanager.yaml"], dir);
      expect(r.status, r.out).toBe(0);
    });
    const cases = (
      parse(readFileSync(join(dir, "alerts/tests/routes.yaml"), "utf8")) as { cases: RouteCase[] }
    ).cases;
    it("has a route case for every owner × severity", () => {
      const owners = new Set(cases.map((c) => c.labels.owner));
      expect(cases.length).toBe(owners.size * 3);
    });
    for (const c of cases) {
      it(`routes ${c.labels.owner}/${c.labels.severity} to ${c.receiver}`, async () => {
        const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
        const r = await run(
          "amtool",
          [
            "config",
            "routes",
            "test",
            "--config.file=alerts/alertmanager.yaml",
            `--verify.receivers=${c.receiver}`,
            ...labels,
          ],
          dir,
        );
        expect(r.status, r.out).toBe(0);
      });
    }
  });
}
