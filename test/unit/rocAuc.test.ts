// ROC AUC against independent computations written here: the pairwise definition (every positive
// against every negative, ties half: what scikit-learn's roc_auc_score equals), the histogram AUC
// within its stated bound, and the Hanley–McNeil standard error against the spread of simulated AUCs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rng } from "../../src/demo/creditData.js";
import { numericBinIndex } from "../../src/stats/binning.js";
import { aucStandardError, binnedAuc, exactAuc } from "../../src/stats/rocAuc.js";
import { pairwiseAuc } from "../helpers/pairwiseAuc.js";

const rows = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 40 }).map((x) => x / 40),
    fc.boolean(),
  ),
  {
    minLength: 1,
    maxLength: 150,
  },
);

describe("ROC AUC", () => {
  it("exactAuc is the pairwise AUC, ties counted half", () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const s = rs.map((r) => r[0]);
        const p = rs.map((r) => r[1]);
        const a = exactAuc(s, p);
        const b = pairwiseAuc(s, p);
        if (Number.isNaN(b)) return Number.isNaN(a);
        return Math.abs(a - b) < 1e-12;
      }),
    );
  });

  it("the histogram AUC is within its bound of the exact AUC, and equal when no bin mixes classes", () => {
    fc.assert(
      fc.property(
        rows,
        fc.uniqueArray(
          fc.integer({ min: 1, max: 39 }).map((x) => x / 40),
          { maxLength: 12 },
        ),
        (rs, edgeList) => {
          const edges = Float64Array.from([...edgeList].sort((a, b) => a - b));
          const pos = new Float64Array(edges.length + 1);
          const neg = new Float64Array(edges.length + 1);
          for (const [s, p] of rs) (p ? pos : neg)[numericBinIndex(edges, s)]! += 1;
          const exact = exactAuc(
            rs.map((r) => r[0]),
            rs.map((r) => r[1]),
          );
          const h = binnedAuc(pos, neg);
          if (Number.isNaN(exact)) return Number.isNaN(h.auc);
          if (Math.abs(h.auc - exact) > h.bound + 1e-12) return false;
          const mixed = pos.some((x, b) => x > 0 && (neg[b] as number) > 0);
          return mixed || Math.abs(h.auc - exact) < 1e-12;
        },
      ),
    );
  });

  it("Hanley–McNeil's standard error is the spread of the AUC over simulated samples", () => {
    // binormal scores: positives N(1, 1), negatives N(0, 1): AUC = Φ(1/√2) ≈ 0.76
    const r = rng(7);
    const P = 60;
    const N = 140;
    const aucs: number[] = [];
    for (let rep = 0; rep < 1500; rep++) {
      const s: number[] = [];
      const p: boolean[] = [];
      for (let i = 0; i < P; i++) {
        s.push(1 + r.normal());
        p.push(true);
      }
      for (let i = 0; i < N; i++) {
        s.push(r.normal());
        p.push(false);
      }
      aucs.push(exactAuc(s, p));
    }
    const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
    const se = aucStandardError(mean, P, N);
    expect(mean).toBeCloseTo(0.76, 1);
    expect(se / sd).toBeGreaterThan(0.85);
    expect(se / sd).toBeLessThan(1.15);
  });

  it("is undefined without positives or negatives", () => {
    expect(binnedAuc([1, 2], [0, 0]).auc).toBeNaN();
    expect(exactAuc([0.1, 0.2], [false, false])).toBeNaN();
    expect(aucStandardError(Number.NaN, 1, 1)).toBeNaN();
  });
});
