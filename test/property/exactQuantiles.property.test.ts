import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactQuantiles, select } from "../../src/stats/exactQuantiles.js";
import { quantileEdges } from "../../src/stats/quantiles.js";

function streamed(values: number[], bins: number, cap?: number, firstBits?: number) {
  const q = new ExactQuantiles(bins, {
    ...(cap !== undefined && { collectCap: cap }),
    ...(firstBits !== undefined && { firstBits }),
  });
  let passes = 0;
  while (q.needsPass) {
    for (const x of values) q.add(x);
    q.endPass();
    passes++;
  }
  return { edges: q.edges(), passes };
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const clustered = fc.integer({ min: -50, max: 50 }).map((i) => i / 8);

describe("ExactQuantiles (streamed radix selection)", () => {
  it("gives the same edges as sorting all values, for any data and bucket cap", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(finite, clustered, fc.constant(0), fc.constant(-0)), { maxLength: 400 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 16, max: 20 }),
        (values, bins, cap, firstBits) => {
          expect(streamed(values, bins, cap, firstBits).edges).toEqual(quantileEdges(values, bins));
        },
      ),
      { numRuns: 300 },
    );
  });
  it("needs one pass to collect and one to count when buckets are small", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i) * 1e3);
    const r = streamed(values, 10);
    expect(r.edges).toEqual(quantileEdges(values, 10));
    expect(r.passes).toBe(2);
  });
  it("refines a crowded bucket with more passes, still exact", () => {
    // 200k values in [1000, 1001): one leading-digit bucket
    const values = Array.from({ length: 200_000 }, (_, i) => 1000 + ((i * 7919) % 200_000) / 200_000);
    const r = streamed(values, 10);
    expect(r.edges).toEqual(quantileEdges(values, 10));
    expect(r.passes).toBe(3);
    // a finer first digit splits it enough to collect at once
    const fine = streamed(
      values.map((x) => x * 1000),
      10,
      undefined,
      20,
    );
    expect(fine.edges).toEqual(
      quantileEdges(
        values.map((x) => x * 1000),
        10,
      ),
    );
  });
  it("select gives the k-th smallest value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(finite, clustered), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (xs, k0) => {
          const k = k0 % xs.length;
          expect(select(Float64Array.from(xs), k)).toBe(Float64Array.from(xs).sort()[k]);
        },
      ),
    );
  });
  it("is empty without values", () => expect(streamed([], 10).edges).toEqual([]));
});
