import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Smoothing } from "../../src/config/model.js";
import { driftValues } from "../../src/stats/drift.js";

interface VectorCase {
  name: string;
  current: number[];
  reference: number[];
  smoothing: Smoothing;
  expected: { psi: number; kl: number; js: number };
}
const file = fileURLToPath(new URL("../fixtures/vectors/drift-vectors.json", import.meta.url));
const vectors = JSON.parse(readFileSync(file, "utf8")) as {
  tolerance: { relative: number; absolute: number };
  cases: VectorCase[];
};

function close(actual: number, expected: number): boolean {
  const { relative, absolute } = vectors.tolerance;
  return Math.abs(actual - expected) <= Math.max(absolute, relative * Math.abs(expected));
}

describe("public drift vectors (test/fixtures/vectors/drift-vectors.json)", () => {
  it("has cases", () => expect(vectors.cases.length).toBeGreaterThan(0));
  for (const c of vectors.cases) {
    it(`${c.name} (${c.smoothing.method})`, () => {
      const v = driftValues(c.current, c.reference, c.smoothing);
      for (const k of ["psi", "kl", "js"] as const) {
        expect(close(v[k], c.expected[k]), `${k}: got ${v[k]}, expected ${c.expected[k]}`).toBe(true);
      }
    });
  }
});
