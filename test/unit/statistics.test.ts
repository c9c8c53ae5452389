import { describe, expect, it } from "vitest";
import { driftValues, levelOf, levelReached, worstLevel } from "../../src/stats/drift.js";
import { jsDistance } from "../../src/stats/jsDistance.js";
import { klDivergence } from "../../src/stats/klDivergence.js";
import { psi } from "../../src/stats/psi.js";
import { proportions, smoothedProportions } from "../../src/stats/smoothing.js";

describe("smoothing", () => {
  it("laplace adds alpha to every bin and renormalises", () => {
    expect(Array.from(smoothedProportions([0, 2], { method: "laplace", alpha: 0.5 }))).toEqual([
      0.5 / 3,
      2.5 / 3,
    ]);
  });
  it("epsilon replaces zero proportions without renormalising", () => {
    expect(Array.from(smoothedProportions([0, 4], { method: "epsilon", epsilon: 0.001 }))).toEqual([
      0.001, 1,
    ]);
  });
  it("unsmoothed proportions of empty counts are all zero", () => {
    expect(Array.from(proportions([0, 0, 0]))).toEqual([0, 0, 0]);
  });
});

describe("psi", () => {
  it("matches a hand computation", () => {
    const p = [0.2, 0.8];
    const q = [0.5, 0.5];
    expect(psi(p, q)).toBeCloseTo((0.2 - 0.5) * Math.log(0.2 / 0.5) + (0.8 - 0.5) * Math.log(0.8 / 0.5), 15);
  });
  it("is zero for identical proportions", () => expect(psi([0.3, 0.7], [0.3, 0.7])).toBe(0));
});

describe("klDivergence", () => {
  it("is KL(current || reference) in nats", () => {
    expect(klDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
  });
  it("is asymmetric", () => {
    expect(klDivergence([0.9, 0.1], [0.5, 0.5])).not.toBeCloseTo(klDivergence([0.5, 0.5], [0.9, 0.1]), 6);
  });
  it("treats 0·ln 0 as 0", () => expect(klDivergence([0, 1], [0.5, 0.5])).toBeCloseTo(Math.log(2), 15));
});

describe("jsDistance", () => {
  it("is 1 for disjoint distributions (base 2)", () => expect(jsDistance([1, 0], [0, 1])).toBe(1));
  it("is 0 for identical ones", () => expect(jsDistance([0.25, 0.75], [0.25, 0.75])).toBe(0));
  it("matches scipy for a known pair", () => {
    // sqrt((KL2(p‖m) + KL2(q‖m))/2), m = (p+q)/2, computed independently in Python (scipy's definition)
    expect(jsDistance([0.1, 0.4, 0.5], [0.3, 0.3, 0.4])).toBeCloseTo(0.21663402449519673, 12);
  });
});

describe("driftValues", () => {
  it("rejects counts over different bins", () => {
    expect(() => driftValues([1, 2], [1, 2, 3], { method: "laplace", alpha: 0.5 })).toThrow(
      /bin counts differ/,
    );
  });
});

describe("levels", () => {
  const t = { warning: 0.1, critical: 0.25 };
  it("is reached at the threshold itself", () => {
    expect(levelOf(0.0999, t)).toBe("ok");
    expect(levelOf(0.1, t)).toBe("warning");
    expect(levelOf(0.25, t)).toBe("critical");
  });
  it("takes the worst of several levels", () => {
    expect(worstLevel(["ok", "warning", "ok"])).toBe("warning");
  });
  it("orders ok < warning < critical for --fail-on", () => {
    expect(levelReached("warning", "critical")).toBe(false);
    expect(levelReached("critical", "warning")).toBe(true);
    expect(levelReached("warning", "warning")).toBe(true);
  });
});
