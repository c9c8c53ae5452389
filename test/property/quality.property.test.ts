// Properties of the label join and quality counts: accuracy is the share of correct joins, however
// predictions, labels and duplicates interleave; metrics of merged window slices equal the metrics
// of the union of their joins.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JoinStore } from "../../src/labels/joinStore.js";
import {
  addClassification,
  addRegression,
  classificationMetrics,
  countsWidth,
  mergeInto,
  regressionMetrics,
} from "../../src/labels/qualityCounts.js";

const K = 3;

const arrivals = fc.array(
  fc.record({
    kind: fc.constantFrom("prediction", "label"),
    id: fc.integer({ min: 0, max: 40 }),
    value: fc.integer({ min: 0, max: K - 1 }),
  }),
  { maxLength: 400 },
);

describe("label join (properties)", () => {
  it("accuracy equals the share of correct joins (first prediction and first label per id)", () => {
    fc.assert(
      fc.property(arrivals, (evs) => {
        const c = new Float64Array(countsWidth({ task: "classification", classes: K }));
        const store = new JoinStore(1e12, 10_000, {
          joined: (p, l) => addClassification(c, K, p, l),
          expired: () => {},
          unmatched: () => {},
        });
        const firstPrediction = new Map<number, number>();
        const firstLabel = new Map<number, number>();
        evs.forEach((e, t) => {
          if (e.kind === "prediction") {
            store.addPrediction(String(e.id), e.value, 0, t, t);
            if (!firstPrediction.has(e.id)) firstPrediction.set(e.id, e.value);
          } else {
            store.addLabel(String(e.id), e.value, t, t);
            if (!firstLabel.has(e.id)) firstLabel.set(e.id, e.value);
          }
        });
        let joins = 0;
        let correct = 0;
        for (const [id, p] of firstPrediction) {
          const l = firstLabel.get(id);
          if (l === undefined) continue;
          joins++;
          if (l === p) correct++;
        }
        const q = classificationMetrics(c, K);
        expect(q.n).toBe(joins);
        if (joins > 0) expect(q.accuracy).toBe(correct / joins);
      }),
    );
  });
});

const pairs = fc.array(
  fc.tuple(fc.integer({ min: 0, max: K - 1 }), fc.integer({ min: 0, max: K - 1 }), fc.nat({ max: 5 })),
  { minLength: 1, maxLength: 300 },
);

describe("quality counts (properties)", () => {
  it("classification: merged slices give exactly the counts and metrics of the union", () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const w = countsWidth({ task: "classification", classes: K });
        const slices = Array.from({ length: 6 }, () => new Float64Array(w));
        const union = new Float64Array(w);
        for (const [p, a, s] of ps) {
          addClassification(slices[s] as Float64Array, K, p, a);
          addClassification(union, K, p, a);
        }
        const merged = new Float64Array(w);
        for (const s of slices) mergeInto(merged, s);
        expect([...merged]).toEqual([...union]);
        expect(classificationMetrics(merged, K)).toEqual(classificationMetrics(union, K));
      }),
    );
  });

  it("regression: merged slices give the MAE and RMSE of the union", () => {
    const values = fc.array(
      fc.tuple(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.nat({ max: 5 }),
      ),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(values, (vs) => {
        const slices = Array.from({ length: 6 }, () => new Float64Array(3));
        let abs = 0;
        let sq = 0;
        for (const [p, a, s] of vs) {
          addRegression(slices[s] as Float64Array, p, a);
          abs += Math.abs(p - a);
          sq += (p - a) ** 2;
        }
        const merged = new Float64Array(3);
        for (const s of slices) mergeInto(merged, s);
        const r = regressionMetrics(merged);
        expect(r.n).toBe(vs.length);
        expect(r.mae).toBeCloseTo(abs / vs.length, 6);
        expect(Math.abs(r.rmse - Math.sqrt(sq / vs.length))).toBeLessThanOrEqual(1e-9 * (1 + r.rmse));
      }),
    );
  });
});
