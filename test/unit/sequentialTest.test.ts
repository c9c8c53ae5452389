// The variants' sequential test (src/stats/sequentialTest.ts): the confidence sequence is exactly
// the set of differences the mixture likelihood ratio does not reject; its false-positive rate on
// simulated A/A traffic, watched after every observation, stays at or below alpha; it finds a known
// effect (power reported by bench/variants/run.mjs). Needs `npm run build` (the simulation is shared
// with the benchmark and runs the built module).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM module of the benchmark, shared with the test
import { LOSSES, simulate } from "../../bench/variants/simulate.mjs";
import { type Arm, emptyArm, mixtureTest, observe, sampleVariance } from "../../src/stats/sequentialTest.js";

const arm = (xs: number[]): Arm => {
  const a = emptyArm();
  for (const x of xs) observe(a, x);
  return a;
};

/** log Λ(θ) of the mSPRT (Johari et al. 2022, eq. for the normal mixture), written out again. */
function logLambda(diff: number, theta: number, v: number, tau: number): number {
  const t2 = tau * tau;
  return 0.5 * Math.log(v / (v + t2)) + (t2 * (diff - theta) ** 2) / (2 * v * (v + t2));
}

describe("mixtureTest", () => {
  it("computes the sample variances, the difference and V from the sums", () => {
    const c = arm([0, 1, 0, 0, 1, 0, 0, 0]);
    const v = arm([1, 1, 0, 1, 0, 1, 1, 0]);
    expect(sampleVariance(c)).toBeCloseTo((2 - 4 / 8) / 7, 14);
    const t = mixtureTest(c, v, { tau: 0.1, alpha: 0.05, minSamples: 2 });
    expect(t?.difference).toBeCloseTo(5 / 8 - 2 / 8, 14);
    const unpooled = sampleVariance(c) / 8 + sampleVariance(v) / 8;
    const pooled = ((7 * sampleVariance(c) + 7 * sampleVariance(v)) / 14) * (2 / 8);
    expect(t?.variance).toBeCloseTo(Math.max(unpooled, pooled), 14);
  });

  it("says nothing below min_samples or when neither arm varies", () => {
    const o = { tau: 0.01, alpha: 0.05, minSamples: 10 };
    expect(mixtureTest(arm(Array(9).fill(0)), arm(Array(50).fill(1)), o)).toBeUndefined();
    expect(mixtureTest(arm(Array(50).fill(0)), arm(Array(50).fill(0)), o)).toBeUndefined();
    // one arm without a single error yet still gets a variance (the pooled one)
    expect(mixtureTest(arm(Array(50).fill(0)), arm([...Array(49).fill(0), 1]), o)?.variance).toBeGreaterThan(
      0,
    );
  });

  it("bounds exactly the differences θ with Λ(θ) < 1/α, and p = min(1, 1/Λ(0))", () => {
    fc.assert(
      fc.property(
        // losses on a grid of 0.1 (error indicators, absolute errors): no denormal variances
        fc.array(
          fc.integer({ min: 0, max: 1000 }).map((x) => x / 10),
          { minLength: 5, maxLength: 60 },
        ),
        fc.array(
          fc.integer({ min: 0, max: 1000 }).map((x) => x / 10),
          { minLength: 5, maxLength: 60 },
        ),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.constantFrom(0.01, 0.05, 0.1),
        (xs, ys, tau, alpha) => {
          const t = mixtureTest(arm(xs), arm(ys), { tau, alpha, minSamples: 2 });
          if (!t) return;
          const bound = Math.log(1 / alpha);
          const scale = Math.max(1e-9, t.upper - t.lower);
          // on the boundary Λ = 1/α; just inside it is below, just outside above
          expect(logLambda(t.difference, t.lower, t.variance, tau)).toBeCloseTo(bound, 6);
          expect(logLambda(t.difference, t.upper, t.variance, tau)).toBeCloseTo(bound, 6);
          expect(logLambda(t.difference, t.lower + scale * 1e-3, t.variance, tau)).toBeLessThan(bound);
          expect(logLambda(t.difference, t.upper + scale * 1e-3, t.variance, tau)).toBeGreaterThan(bound);
          expect(t.pValue).toBeCloseTo(
            Math.min(1, Math.exp(-logLambda(t.difference, 0, t.variance, tau))),
            12,
          );
          // rejecting "no difference" at alpha and the sequence excluding 0 are the same event
          expect(t.pValue <= alpha).toBe(t.lower > 0 || t.upper < 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the test on simulated traffic, looked at after every observation", () => {
  const alpha = 0.05;
  const base = { runs: 300, n: 10_000, alpha, minSamples: 100 };

  it.each([
    [
      "errors at 1 %, 50/50 split",
      { control: LOSSES.bernoulli(0.01), variant: LOSSES.bernoulli(0.01), tau: 0.01 },
    ],
    [
      "accuracy 90 %, 10 % canary",
      { control: LOSSES.bernoulli(0.1), variant: LOSSES.bernoulli(0.1), tau: 0.02, share: 0.1 },
    ],
    [
      "absolute error |N(0, 10)|, 50/50",
      { control: LOSSES.absNormal(0, 10), variant: LOSSES.absNormal(0, 10), tau: 1 },
    ],
  ])("A/A (%s): the false-positive rate stays at or below alpha", (_, o) => {
    const r = simulate({ ...base, ...o, seed: 11 });
    // both directions: the confidence sequence ever excluding 0 (the alert is one of them)
    expect(r.twoSidedRate).toBeLessThanOrEqual(alpha);
    expect(r.worseRate).toBeLessThanOrEqual(r.twoSidedRate);
  });

  it("finds a variant with twice the error rate (2 % vs 1 %) in most runs", () => {
    const r = simulate({
      ...base,
      runs: 100,
      n: 40_000,
      control: LOSSES.bernoulli(0.01),
      variant: LOSSES.bernoulli(0.02),
      tau: 0.01,
      seed: 5,
    });
    expect(r.worseRate).toBeGreaterThan(0.8);
    expect(r.medianDetection).toBeLessThan(40_000);
  });
});
