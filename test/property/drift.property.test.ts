import fc from "fast-check";
import { describe, it } from "vitest";
import type { Smoothing } from "../../src/config/model.js";
import { numericBinIndex, numericBins } from "../../src/stats/binning.js";
import { driftValues } from "../../src/stats/drift.js";
import { jsDistance } from "../../src/stats/jsDistance.js";
import { proportions } from "../../src/stats/smoothing.js";

const smoothing: fc.Arbitrary<Smoothing> = fc.oneof(
  fc.record({
    method: fc.constant("laplace" as const),
    alpha: fc.double({ min: 0.01, max: 2, noNaN: true }),
  }),
  fc.record({
    method: fc.constant("epsilon" as const),
    epsilon: fc.double({ min: 1e-8, max: 1e-2, noNaN: true }),
  }),
);
/** pairs of count vectors over the same bins, each with at least one count */
const countPair = fc.integer({ min: 2, max: 30 }).chain((k) => {
  const counts = fc
    .array(fc.nat({ max: 10_000 }), { minLength: k, maxLength: k })
    .filter((c) => c.some((x) => x > 0));
  return fc.tuple(counts, counts);
});
const tol = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

describe("drift statistics (properties)", () => {
  it("PSI ≥ 0 and symmetric", () => {
    fc.assert(
      fc.property(countPair, smoothing, ([a, b], s) => {
        const ab = driftValues(a, b, s).psi;
        const ba = driftValues(b, a, s).psi;
        return ab >= -1e-12 && Math.abs(ab - ba) <= tol(ab);
      }),
    );
  });
  it("PSI(p, p) = 0, KL(p, p) = 0, JS(p, p) = 0", () => {
    fc.assert(
      fc.property(countPair, smoothing, ([a], s) => {
        const v = driftValues(a, a, s);
        return v.psi === 0 && v.kl === 0 && v.js === 0;
      }),
    );
  });
  it("KL ≥ 0 under laplace smoothing (proportions sum to 1)", () => {
    fc.assert(
      fc.property(countPair, fc.double({ min: 0.01, max: 2, noNaN: true }), ([a, b], alpha) => {
        return driftValues(a, b, { method: "laplace", alpha }).kl >= -1e-12;
      }),
    );
  });
  it("JS distance is in [0, 1] and symmetric", () => {
    fc.assert(
      fc.property(countPair, ([a, b]) => {
        const p = proportions(a);
        const q = proportions(b);
        const d = jsDistance(p, q);
        return d >= 0 && d <= 1 && Math.abs(d - jsDistance(q, p)) <= 1e-12;
      }),
    );
  });
  it("JS distance does not depend on smoothing", () => {
    fc.assert(
      fc.property(
        countPair,
        smoothing,
        smoothing,
        ([a, b], s1, s2) => driftValues(a, b, s1).js === driftValues(a, b, s2).js,
      ),
    );
  });
});

describe("bin assignment (properties)", () => {
  const edges = fc
    .uniqueArray(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
      minLength: 1,
      maxLength: 40,
    })
    .map((e) => [...e].sort((x, y) => x - y))
    .filter((e) => e.every((x, i) => i === 0 || x > (e[i - 1] as number)));
  const value = fc.double({ noNaN: true });

  it("is monotone in the value", () => {
    fc.assert(
      fc.property(edges, value, value, (e, x, y) => {
        const b = numericBins(e);
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        return numericBinIndex(b.edges, lo) <= numericBinIndex(b.edges, hi);
      }),
    );
  });
  it("puts a value in the bin whose interval holds it", () => {
    fc.assert(
      fc.property(edges, value, (e, x) => {
        const i = numericBinIndex(numericBins(e).edges, x);
        const lo = i === 0 ? Number.NEGATIVE_INFINITY : (e[i - 1] as number);
        const hi = i === e.length ? Number.POSITIVE_INFINITY : (e[i] as number);
        return lo <= x && (x < hi || (hi === Number.POSITIVE_INFINITY && x === hi));
      }),
    );
  });
});
