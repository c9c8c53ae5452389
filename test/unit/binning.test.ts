import { describe, expect, it } from "vitest";
import {
  binLabels,
  categoricalBins,
  categoryBinIndex,
  numericBinIndex,
  numericBins,
  OTHER,
} from "../../src/stats/binning.js";
import { quantileEdges, topK } from "../../src/stats/quantiles.js";
import { Reservoir } from "../../src/stats/reservoir.js";
import { INVALID_VALUE, MISSING_VALUE, readCategory, readNumber } from "../../src/stats/values.js";

describe("numeric bins", () => {
  const b = numericBins([10, 20, 30]);
  it("follows (-inf,e1), [e1,e2), …, [e(k-1),+inf)", () => {
    expect(b.size).toBe(4);
    expect(numericBinIndex(b.edges, -1e300)).toBe(0);
    expect(numericBinIndex(b.edges, 9.999)).toBe(0);
    expect(numericBinIndex(b.edges, 10)).toBe(1);
    expect(numericBinIndex(b.edges, 29.9)).toBe(2);
    expect(numericBinIndex(b.edges, 30)).toBe(3);
    expect(numericBinIndex(b.edges, Number.POSITIVE_INFINITY)).toBe(3);
    expect(numericBinIndex(b.edges, Number.NEGATIVE_INFINITY)).toBe(0);
  });
  it("labels bins with their exact edges", () => {
    expect(binLabels(numericBins([1200, 1500.5]))).toEqual(["[-inf,1200)", "[1200,1500.5)", "[1500.5,+inf)"]);
  });
  it("rejects edges that do not increase", () => {
    expect(() => numericBins([1, 1])).toThrow(/increasing/);
  });
});

describe("categorical bins", () => {
  const b = categoricalBins(["a", "b"]);
  it("puts unknown values in __other__, the last bin", () => {
    expect(categoryBinIndex(b, "a")).toBe(0);
    expect(categoryBinIndex(b, "b")).toBe(1);
    expect(categoryBinIndex(b, "zzz")).toBe(2);
    expect(binLabels(b)).toEqual(["a", "b", OTHER]);
  });
  it("reserves __other__", () => expect(() => categoricalBins([OTHER])).toThrow(/reserved/));
});

describe("quantile edges", () => {
  it("are the i/bins quantiles with linear interpolation", () => {
    const v = Array.from({ length: 101 }, (_, i) => i);
    expect(quantileEdges(v, 4)).toEqual([25, 50, 75]);
    expect(quantileEdges([1, 2, 3, 4], 2)).toEqual([2.5]);
  });
  it("drop duplicate edges", () => {
    expect(quantileEdges([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], 5)).toEqual([0, 0.2]);
    expect(quantileEdges([7, 7, 7], 10)).toEqual([7]);
  });
  it("are empty without values", () => expect(quantileEdges([], 10)).toEqual([]));
  it("are rounded to 6 significant digits", () => {
    expect(quantileEdges([0, 1 / 3, 2 / 3, 1], 3)).toEqual([0.333333, 0.666667]);
  });
});

describe("topK", () => {
  it("takes the most frequent, ties by value", () => {
    const m = new Map([
      ["x", 3],
      ["b", 5],
      ["a", 5],
      ["c", 1],
    ]);
    expect(topK(m, 3)).toEqual(["a", "b", "x"]);
  });
});

describe("value readers", () => {
  it("read numbers from numbers and numeric text", () => {
    expect(readNumber(3.5)).toBe(3.5);
    expect(readNumber(" 42 ")).toBe(42);
    expect(readNumber("1e3")).toBe(1000);
  });
  it("treat null, empty and NA markers as missing", () => {
    for (const v of [null, undefined, "", " ", "NA", "N/A", "null", "None"])
      expect(readNumber(v)).toBe(MISSING_VALUE);
  });
  it("treat every non-finite number, however written, as invalid", () => {
    for (const v of [
      "Infinity",
      "-Infinity",
      "inf",
      "-inf",
      "INF",
      "1e309",
      "-1e400",
      "NaN",
      "nan",
      Number.NaN,
    ])
      expect(readNumber(v)).toBe(INVALID_VALUE);
    for (const v of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(readNumber(v)).toBe(INVALID_VALUE);
  });
  it("treat text, booleans and objects as invalid numbers", () => {
    for (const v of ["abc", "12abc", true, {}, [1]]) expect(readNumber(v)).toBe(INVALID_VALUE);
  });
  it("read categories", () => {
    expect(readCategory("east")).toBe("east");
    expect(readCategory(3)).toBe("3");
    expect(readCategory("")).toBe(MISSING_VALUE);
    expect(readCategory({ a: 1 })).toBe(INVALID_VALUE);
  });
});

describe("Reservoir", () => {
  it("is exact below capacity and deterministic above it", () => {
    const r = new Reservoir(5);
    for (const x of [1, 2, 3]) r.add(x);
    expect(Array.from(r.sample())).toEqual([1, 2, 3]);
    const a = new Reservoir(10);
    const b = new Reservoir(10);
    for (let i = 0; i < 10_000; i++) {
      a.add(i);
      b.add(i);
    }
    expect(Array.from(a.sample())).toEqual(Array.from(b.sample()));
    expect(a.count).toBe(10_000);
  });
  it("samples uniformly enough for quantiles", () => {
    const r = new Reservoir(2000);
    for (let i = 0; i < 100_000; i++) r.add(i);
    const [median] = quantileEdges(r.sample(), 2);
    expect(Math.abs((median as number) - 50_000)).toBeLessThan(5000);
  });
});
