// Standard errors of PSI, KL and JS (src/stats/driftStderr.ts) for any counts: finite, never below
// the no-drift floor (the chi-square spread: √(2(k−1))/n for PSI, √((k−1)/2)/n for KL), undefined
// (NaN) for an empty window, and smaller for a window of the same shape 16 times larger.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Smoothing } from "../../src/config/model.js";
import { driftStderr } from "../../src/stats/driftStderr.js";

const smoothings: Smoothing[] = [
  { method: "laplace", alpha: 0.5 },
  { method: "laplace", alpha: 1 },
  { method: "epsilon", epsilon: 1e-4 },
];

const counts = (k: number) => fc.array(fc.integer({ min: 0, max: 400 }), { minLength: k, maxLength: k });

describe("driftStderr (properties)", () => {
  it("is finite, at least the no-drift floor, and shrinks as the window grows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((k) =>
          fc.tuple(
            counts(k),
            counts(k).map((r) => r.map((x) => x + 1)),
          ),
        ),
        fc.constantFrom(...smoothings),
        ([current, reference], smoothing) => {
          const n = current.reduce((a, b) => a + b, 0);
          fc.pre(n > 0);
          const se = driftStderr(current, reference, smoothing);
          const k = current.length;
          for (const v of [se.psi, se.kl, se.js]) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThan(0);
          }
          // every reference bin is populated, so k − 1 degrees of freedom under either smoothing
          expect(se.psi).toBeGreaterThanOrEqual(Math.sqrt(2 * (k - 1)) / n - 1e-15);
          expect(se.kl).toBeGreaterThanOrEqual(Math.sqrt((k - 1) / 2) / n - 1e-15);
          const big = driftStderr(
            current.map((c) => c * 16),
            reference,
            smoothing,
          );
          expect(big.psi).toBeLessThan(se.psi);
          expect(big.kl).toBeLessThan(se.kl);
          expect(big.js).toBeLessThan(se.js);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is undefined for an empty window", () => {
    const se = driftStderr([0, 0, 0], [1, 2, 3], { method: "laplace", alpha: 0.5 });
    expect(Number.isNaN(se.psi) && Number.isNaN(se.kl) && Number.isNaN(se.js)).toBe(true);
  });
});
