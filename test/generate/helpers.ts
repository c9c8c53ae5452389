import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { withLearnedLevels } from "../../src/batch/learnedLevels.js";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/model.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const EXAMPLE = "examples/infermon.yaml";

export const exampleText = (): string => readFileSync(join(ROOT, EXAMPLE), "utf8");

/** The example config as plain data, to derive variants from. */
export const exampleData = (): Record<string, unknown> => parse(exampleText()) as Record<string, unknown>;

export function configFrom(data: unknown, source = "variant.yaml"): Config {
  return withLearnedLevels(parseConfig(stringify(data), source, join(ROOT, "examples")));
}

/** The example config as `infermon generate` reads it (learned drift levels from the profiles). */
export const exampleConfig = (): Config => withLearnedLevels(loadConfig(join(ROOT, EXAMPLE)));

const created: string[] = [];

/** A fresh temp directory, removed by `removeTempDirs` (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `infermon-gen-test-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Every file under dir with its content, sorted by path: equal snapshots, nothing changed. */
export function snapshot(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map(
      (e) =>
        [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), "utf8")] as [string, string],
    )
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

/** A variant exercising the optional paths: Kafka, a model without SLOs or owner. */
export function variantData(): Record<string, unknown> {
  const d = exampleData();
  const models = d.models as Record<string, unknown>[];
  // a whole-number latency threshold: the SLI must match le="1" and Prometheus 3's le="1.0"
  const house = models[1] as { slo: Record<string, unknown> };
  house.slo.latency = { threshold: 1, objective: 99.5 };
  models.push({
    name: "churn",
    task: "multiclass_classification",
    features: [{ name: "tenure", type: "numeric" }],
    prediction: { output: "probabilities", classes: ["stay", "leave", "unknown"] },
    windows: ["10m"],
    min_samples: 50,
    drift: { smoothing: { method: "epsilon", epsilon: 0.0001 } },
  });
  d.kafka = {
    brokers: ["127.0.0.1:9092"],
    topics: { predictions: "inference.predictions", labels: "inference.labels" },
  };
  return d;
}
