// The committed dashboards/ alerts/ slo/ deploy/kubernetes/ are the golden files: the pipeline's
// output for examples/infermon.yaml must equal them byte for byte. UPDATE_GOLDEN=1 rewrites them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/generate/pipeline.js";
import { GENERATED_ROOTS, writeArtifacts } from "../../src/generate/write.js";
import { EXAMPLE, exampleConfig, ROOT } from "./helpers.js";

function listFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e);
    out = statSync(p).isDirectory() ? out.concat(listFiles(p)) : out.concat(p);
  }
  return out;
}

describe("golden files", () => {
  // the header names the config as `npm run generate` does (relative to the repository root)
  const build = () => generate(exampleConfig(), { source: EXAMPLE });
  const files = build();

  if (process.env.UPDATE_GOLDEN) writeArtifacts(ROOT, files, { prune: true });

  it("is deterministic", () => {
    expect([...build()]).toEqual([...files]);
  });

  it("matches every committed generated file, and nothing else is committed there", () => {
    const committed = GENERATED_ROOTS.flatMap((r) => listFiles(join(ROOT, r))).map((p) =>
      relative(ROOT, p).split("\\").join("/"),
    );
    expect(committed.sort()).toEqual([...files.keys()].sort());
    for (const [path, content] of files) {
      expect(
        readFileSync(join(ROOT, path), "utf8"),
        `${path} differs; run UPDATE_GOLDEN=1 npx vitest run test/generate`,
      ).toBe(content);
    }
  });
});
