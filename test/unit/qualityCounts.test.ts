// Quality metrics from mergeable counts against hand-computed confusion matrices (values as
// scikit-learn gives them with zero_division=0), and the sliding window of counts.
import { describe, expect, it } from "vitest";
import {
  addClassification,
  addRegression,
  classificationMetrics,
  countsWidth,
  regressionMetrics,
} from "../../src/labels/qualityCounts.js";
import { QualityWindow } from "../../src/labels/qualityWindow.js";

function counts(k: number, pairs: [number, number][]): Float64Array {
  const c = new Float64Array(countsWidth({ task: "classification", classes: k }));
  for (const [p, a] of pairs) addClassification(c, k, p, a);
  return c;
}

/** Pairs (predicted, actual) from a confusion matrix m[actual][predicted]. */
function fromMatrix(m: number[][]): [number, number][] {
  const out: [number, number][] = [];
  m.forEach((row, actual) => {
    row.forEach((n, predicted) => {
      for (let i = 0; i < n; i++) out.push([predicted, actual]);
    });
  });
  return out;
}

describe("classification metrics", () => {
  it("binary: a 2×2 confusion matrix", () => {
    // actual 0: 50 predicted 0, 10 predicted 1; actual 1: 5 predicted 0, 35 predicted 1
    const q = classificationMetrics(
      counts(
        2,
        fromMatrix([
          [50, 10],
          [5, 35],
        ]),
      ),
      2,
    );
    expect(q.n).toBe(100);
    expect(q.accuracy).toBeCloseTo(0.85, 15);
    // class 1: tp 35, predicted 45, actual 40
    expect(q.perClass[1]?.precision).toBeCloseTo(35 / 45, 15);
    expect(q.perClass[1]?.recall).toBeCloseTo(35 / 40, 15);
    expect(q.perClass[1]?.f1).toBeCloseTo(70 / 85, 15);
    // class 0: tp 50, predicted 55, actual 60
    expect(q.perClass[0]?.precision).toBeCloseTo(50 / 55, 15);
    expect(q.perClass[0]?.recall).toBeCloseTo(50 / 60, 15);
    expect(q.perClass[0]?.f1).toBeCloseTo(100 / 115, 15);
    expect(q.macro?.precision).toBeCloseTo((35 / 45 + 50 / 55) / 2, 15);
    expect(q.macro?.recall).toBeCloseTo((35 / 40 + 50 / 60) / 2, 15);
    expect(q.macro?.f1).toBeCloseTo((70 / 85 + 100 / 115) / 2, 15);
  });

  it("multiclass 3×3, with a class never predicted and one absent altogether", () => {
    // 4 classes; class 3 never appears; class 2 is never predicted
    const m = [
      [3, 1, 0, 0],
      [2, 4, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ];
    const q = classificationMetrics(counts(4, fromMatrix(m)), 4);
    expect(q.n).toBe(12);
    expect(q.accuracy).toBeCloseTo(7 / 12, 15);
    expect(q.perClass[3]).toBeUndefined();
    expect(q.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(q.perClass[0]?.precision).toBeCloseTo(3 / 6, 15);
    expect(q.perClass[0]?.recall).toBeCloseTo(3 / 4, 15);
    expect(q.perClass[1]?.precision).toBeCloseTo(4 / 6, 15);
    expect(q.perClass[1]?.recall).toBeCloseTo(4 / 6, 15);
    // sklearn precision_score(average="macro", zero_division=0) over classes 0, 1, 2
    expect(q.macro?.precision).toBeCloseTo((0.5 + 4 / 6 + 0) / 3, 15);
    expect(q.macro?.recall).toBeCloseTo((0.75 + 4 / 6 + 0) / 3, 15);
    expect(q.macro?.f1).toBeCloseTo(((2 * 3) / 10 + (2 * 4) / 12 + 0) / 3, 15);
  });

  it("without configured classes keeps accuracy only", () => {
    const q = classificationMetrics(
      counts(0, [
        [0, 0],
        [1, 2],
        [2, 2],
      ]),
      0,
    );
    expect(q.accuracy).toBeCloseTo(2 / 3, 15);
    expect(q.macro).toBeUndefined();
  });
});

describe("regression metrics", () => {
  it("MAE and RMSE", () => {
    const c = new Float64Array(3);
    for (const [p, a] of [
      [10, 12],
      [5, 5],
      [3, -1],
    ] as const)
      addRegression(c, p, a);
    const r = regressionMetrics(c);
    expect(r.n).toBe(3);
    expect(r.mae).toBeCloseTo(6 / 3, 15);
    expect(r.rmse).toBeCloseTo(Math.sqrt(20 / 3), 15);
  });
});

describe("QualityWindow", () => {
  it("counts by arrival time and forgets slices that left the window", () => {
    const w = new QualityWindow(3, 60_000, 6); // 1 min of 10 s slices
    addRegression(w.sliceAt(0), 1, 0);
    addRegression(w.sliceAt(25_000), 3, 0);
    expect(w.totals(30_000)[0]).toBe(2);
    expect(w.totals(65_000)[0]).toBe(1); // the slice [0, 10 s) left at 60 s
    expect(regressionMetrics(w.totals(65_000)).mae).toBe(3);
    expect(w.totals(200_000)[0]).toBe(0);
  });
});
