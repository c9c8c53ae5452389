// The Argo Rollouts and Flagger objects `generate` writes (deploy/rollouts/) pass kubeconform v0.8.0
// against the CRD schemas committed under deploy/schemas/crds/ (offline, strict: an unknown field
// is an error), committed and freshly generated alike; their thresholds are the gates'; Argo's
// conditions make "no value" (NaN) inconclusive, never a pass or a failure.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { generate } from "../../src/generate/pipeline.js";
import { gatesOf } from "../../src/generate/rollouts/gates.js";
import { goToolPath, requireGoTool } from "../helpers/peers.js";
import { configFrom, exampleData, ROOT } from "./helpers.js";

const hasKubeconform = requireGoTool("kubeconform");
const work = mkdtempSync(join(tmpdir(), "infermon-rollouts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kubeconform(paths: string[]) {
  const r = spawnSync(
    goToolPath("kubeconform"),
    [
      "-strict",
      "-summary",
      "-output",
      "text",
      "-schema-location",
      join(ROOT, "deploy/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"),
      ...paths,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const config = configFrom(exampleData());
const files = generate(config, { source: "examples/infermon.yaml" });
const rollouts = [...files].filter(([p]) => p.startsWith("deploy/rollouts/"));

describe.skipIf(!hasKubeconform)("kubeconform on the rollout templates", () => {
  it("accepts the committed deploy/rollouts/ and what generate writes now", () => {
    for (const [path, content] of rollouts) {
      mkdirSync(join(work, dirname(path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    for (const dir of [join(ROOT, "deploy/rollouts"), join(work, "deploy/rollouts")]) {
      const r = kubeconform([dir]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/Valid: (\d+), Invalid: 0, Errors: 0, Skipped: 0/);
      // 2 models × (AnalysisTemplate + Rollout + Canary) + every MetricTemplate
      const gates = config.models.reduce((n, m) => n + gatesOf(m).length, 0);
      expect(Number(/Valid: (\d+)/.exec(r.out)?.[1])).toBe(config.models.length * 3 + gates);
    }
  });

  it("rejects a field the CRDs do not have (the schemas are strict)", () => {
    const [, text] = rollouts.find(([p]) => p.endsWith("credit.analysistemplate.yaml")) as [string, string];
    const doc = parse(text) as { spec: { metrics: Record<string, unknown>[] } };
    (doc.spec.metrics[0] as Record<string, unknown>).inconclusiveCondition = "result[0] < 0";
    const file = join(work, "bad.yaml");
    writeFileSync(file, JSON.stringify(doc));
    const r = kubeconform([file]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("inconclusiveCondition");
  });
});

describe("rollout templates", () => {
  const argo = (model: string) =>
    (
      parse(files.get(`deploy/rollouts/argo/${model}.analysistemplate.yaml`) as string) as {
        spec: { metrics: { name: string; successCondition: string; failureCondition: string }[] };
      }
    ).spec.metrics;
  const judge = (cond: string, result: number[]) =>
    new Function("result", "isNaN", `return ${cond};`)(result, Number.isNaN) as boolean;

  it("give every gate of every model one Argo metric and one Flagger MetricTemplate with its threshold", () => {
    for (const m of config.models) {
      const gates = gatesOf(m);
      const metrics = argo(m.name);
      const templates = parseAllDocuments(
        files.get(`deploy/rollouts/flagger/${m.name}.metrictemplates.yaml`) as string,
      );
      const canary = parse(files.get(`deploy/rollouts/flagger/${m.name}.canary.example.yaml`) as string) as {
        spec: { analysis: { metrics: { thresholdRange: { min?: number; max?: number } }[] } };
      };
      expect(metrics.map((x) => x.name)).toEqual(gates.map((g) => g.name.replaceAll("_", "-")));
      expect(templates).toHaveLength(gates.length);
      gates.forEach((g, i) => {
        const range = canary.spec.analysis.metrics[i]?.thresholdRange;
        expect(range).toEqual(g.bound === "upper" ? { max: g.threshold } : { min: g.threshold });
        const x = metrics[i] as { successCondition: string; failureCondition: string };
        const inside = g.bound === "upper" ? g.threshold : g.threshold + 1e-9;
        const outside = g.bound === "upper" ? g.threshold + 1e-9 : g.threshold - 1e-9;
        expect(judge(x.successCondition, [inside])).toBe(true);
        expect(judge(x.failureCondition, [inside])).toBe(false);
        expect(judge(x.failureCondition, [outside])).toBe(true);
        expect(judge(x.successCondition, [outside])).toBe(false);
        // no data (NaN): neither → Argo Rollouts counts the measurement Inconclusive
        expect(judge(x.successCondition, [Number.NaN])).toBe(false);
        expect(judge(x.failureCondition, [Number.NaN])).toBe(false);
      });
    }
  });
});
