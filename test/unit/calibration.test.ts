// Isotonic calibration per bin against an independent formula: the isotonic regression of weighted
// means has the closed form f(i) = max_{j ≤ i} min_{k ≥ i} mean(j..k) (Barlow et al. 1972).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isotonicBins } from "../../src/stats/calibration.js";

function minMax(pos: number[], cnt: number[]): number[] {
  const idx = cnt.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  const out = new Array<number>(cnt.length).fill(Number.NaN);
  idx.forEach((i, a) => {
    let best = Number.NEGATIVE_INFINITY;
    for (let j = 0; j <= a; j++) {
      let low = Number.POSITIVE_INFINITY;
      for (let k = a; k < idx.length; k++) {
        let p = 0;
        let c = 0;
        for (let t = j; t <= k; t++) {
          p += pos[idx[t] as number] as number;
          c += cnt[idx[t] as number] as number;
        }
        low = Math.min(low, p / c);
      }
      best = Math.max(best, low);
    }
    out[i] = best;
  });
  return out;
}

describe("isotonicBins", () => {
  it("equals the min–max formula on the bins that have rows, and is non-decreasing", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .integer({ min: 0, max: 30 })
            .chain((c) => fc.tuple(fc.integer({ min: 0, max: c }), fc.constant(c))),
          { minLength: 1, maxLength: 25 },
        ),
        (bins) => {
          const pos = bins.map((b) => b[0]);
          const cnt = bins.map((b) => b[1]);
          const got = isotonicBins(pos, cnt);
          const want = minMax(pos, cnt);
          for (let i = 0; i < cnt.length; i++) {
            if ((cnt[i] as number) > 0 && Math.abs((got[i] as number) - (want[i] as number)) > 1e-12)
              return false;
            if (i > 0 && (got[i] as number) < (got[i - 1] as number) - 1e-15) return false;
          }
          return true;
        },
      ),
    );
  });

  it("fills empty bins from the nearest bin below (above for leading ones)", () => {
    expect(isotonicBins([0, 1, 0, 3, 0], [0, 2, 0, 4, 0])).toEqual([0.5, 0.5, 0.5, 0.75, 0.75]);
    expect(isotonicBins([3, 1], [4, 4])).toEqual([0.5, 0.5]);
    expect(isotonicBins([0, 0], [0, 0]).every(Number.isNaN)).toBe(true);
  });
});
