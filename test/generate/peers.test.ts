// The consumers' own tools check what we generate: promtool (rules lint + unit tests) and
// amtool (config check + one route test per owner × severity, through `infermon routes-test`'s
// runner). Runs on the committed example output — promtool exactly as a user types it — and on a
// variant with Kafka and a model without SLOs or owner.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRouteCases, runRouteCases } from "../../src/cli/routeCases.js";
import { ROUTE_CASES_FILE } from "../../src/cli/routesTestCommand.js";
import { generate } from "../../src/generate/pipeline.js";
import { CONCERN_NAMES } from "../../src/generate/severity.js";
import { writeArtifacts } from "../../src/generate/write.js";
import { requireTool } from "../helpers/peers.js";
import { configFrom, ROOT, removeTempDirs, tempDir, variantData } from "./helpers.js";

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
  // the committed files (the golden test checks they are what `generate` writes for the example)
  example: ROOT,
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
    if (dir === ROOT) {
      // what README and docs/generate.md tell users to type, over the committed files
      it("promtool test rules alerts/tests/*.yaml (the user's command)", { timeout: 600_000 }, async () => {
        const r = await run("sh", ["-c", "promtool test rules alerts/tests/*.yaml"], dir);
        expect(r.status, r.out).toBe(0);
        expect(r.out).not.toMatch(/FAILED/);
        expect(testFiles(dir).length).toBe(readdirSync(join(dir, "alerts/tests")).length);
      });
    } else {
      for (const file of testFiles(dir)) {
        it(`test rules ${file}`, { timeout: 180_000 }, async () => {
          const r = await run("promtool", ["test", "rules", file], dir);
          expect(r.status, r.out).toBe(0);
        });
      }
    }
  });

  describe.skipIf(!hasAmtool).concurrent(`amtool on the ${name}`, () => {
    it("check-config passes", async () => {
      const r = await run("amtool", ["check-config", "alerts/alertmanager.yaml"], dir);
      expect(r.status, r.out).toBe(0);
    });
    const cases = readRouteCases(join(dir, ROUTE_CASES_FILE)).cases;
    it("has a route case for every owner × severity, and for every concern of every model", () => {
      const byOwner = cases.filter((c) => c.labels.concern === undefined);
      const owners = new Set(byOwner.map((c) => c.labels.owner));
      expect(byOwner.length).toBe(owners.size * 3);
      const byConcern = cases.filter((c) => c.labels.concern !== undefined);
      const models = new Set(byConcern.map((c) => c.labels.model));
      expect(byConcern.length).toBe(models.size * CONCERN_NAMES.length);
    });
    it("every route case passes in amtool (infermon routes-test's runner)", async () => {
      const results = await runRouteCases(join(dir, ROUTE_CASES_FILE));
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(results.length).toBe(cases.length);
    });
  });
}
