// Request-by-request comparison of a primary's and a shadow's decoded answers (src/shadow/compare.ts)
// and the headers a replay is sent with (src/shadow/shadowHeaders.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecodeResult } from "../../src/adapters/inferenceEvent.js";
import { parseConfig } from "../../src/config/load.js";
import { predictionReader } from "../../src/monitor/predictionReading.js";
import { compareAnswers, relativeDifference } from "../../src/shadow/compare.js";
import { compareRows } from "../../src/shadow/comparison.js";
import { shadowHeaders } from "../../src/shadow/shadowHeaders.js";

const model = (task: string) =>
  parseConfig(
    `models:\n  - {name: m, task: ${task}${task === "multiclass_classification" ? ", prediction: {classes: [a, b, c]}" : ""}}\n`,
    "f",
    "/tmp",
  ).models[0] as NonNullable<ReturnType<typeof parseConfig>["models"][0]>;
const answer = (predictions: unknown[]): DecodeResult => ({
  kind: "events",
  events: predictions.map((prediction, i) => ({
    model: "m",
    version: "1",
    id: `r:${i}`,
    features: {},
    time: 0,
    prediction,
  })),
});
const TOL = { absolute: 0, relative: 0.05 };

describe("compareAnswers", () => {
  it("binary: classes agree at the threshold, |Δscore| for the histogram", () => {
    const m = model("binary_classification");
    const c = compareAnswers(m, predictionReader(m), TOL, answer([0.2, 0.6, 0.49]), answer([0.3, 0.4, 0.5]));
    expect(c.kind).toBe("rows");
    if (c.kind !== "rows") return;
    expect(c.rows.map((r) => r.agree)).toEqual([true, false, false]);
    expect(c.rows.map((r) => r.difference)).toEqual([
      0.09999999999999998, 0.19999999999999996, 0.010000000000000009,
    ]);
  });

  it("multiclass: the argmax classes, no score difference", () => {
    const m = model("multiclass_classification");
    const c = compareAnswers(
      m,
      predictionReader(m),
      TOL,
      answer([[0.1, 0.7, 0.2]]),
      answer([[0.5, 0.3, 0.2]]),
    );
    expect(c.kind === "rows" && c.rows[0]).toMatchObject({
      agree: false,
      difference: undefined,
      shadow: { cls: "a" },
    });
  });

  it("regression: within absolute + relative × |primary|; symmetric relative difference", () => {
    const m = model("regression");
    const c = compareAnswers(
      m,
      predictionReader(m),
      { absolute: 1, relative: 0.1 },
      answer([100, 100, 0, -5]),
      answer([110, 112, 0, 5]),
    );
    expect(c.kind === "rows" && c.rows.map((r) => r.agree)).toEqual([true, false, true, false]);
    expect(c.kind === "rows" && c.rows.map((r) => r.difference)).toEqual([10 / 110, 12 / 112, 0, 2]);
  });

  it("skips unreadable answers and row mismatches; a row without a prediction is no_prediction", () => {
    const m = model("binary_classification");
    const read = predictionReader(m);
    expect(compareAnswers(m, read, TOL, { kind: "error", reason: "malformed_json" }, answer([1]))).toEqual({
      kind: "skipped",
      reason: "unreadable",
    });
    expect(compareAnswers(m, read, TOL, answer([1, 0]), answer([1]))).toEqual({
      kind: "skipped",
      reason: "row_mismatch",
    });
    const c = compareAnswers(m, read, TOL, answer(["x"]), answer([0.9]));
    expect(c.kind === "rows" && c.rows[0]?.agree).toBeUndefined();
  });

  it("relativeDifference is symmetric, in [0, 2], 0 only for equal values", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        (a, b) => {
          const d = relativeDifference(a, b);
          expect(d).toBe(relativeDifference(b, a));
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(2);
          if (a === b) expect(d).toBe(0);
        },
      ),
    );
  });
});

describe("shadowHeaders", () => {
  it("forwards what the primary got but the session, trace and connection fields, and marks the replay", () => {
    expect(
      shadowHeaders([
        "Host",
        "model:8080",
        "Content-Type",
        "application/json",
        "Content-Length",
        "12",
        "Cookie",
        "s=1",
        "Authorization",
        "Bearer x",
        "Proxy-Authorization",
        "Basic y",
        "traceparent",
        "00-ab-cd-01",
        "x-request-id",
        "r-1",
        "X-Infermon-Shadow",
        "0",
      ]),
    ).toEqual([
      "Content-Type",
      "application/json",
      "Authorization",
      "Bearer x",
      "x-request-id",
      "r-1",
      "x-infermon-shadow",
      "1",
    ]);
  });
});

describe("compareRows (infermon compare's statistics)", () => {
  const rowsOf = (n: number) => ({ a: n, b: n, paired: n, unpaired_a: 0, unpaired_b: 0 });

  it("regression without a profile: agreement within 5 %, drift of B against A's quantile bins", () => {
    const m = { ...model("regression"), minSamples: 10 };
    const a = Array.from({ length: 400 }, (_, i) => 100 + i);
    const same = compareRows(
      m,
      { a, b: a.map((x) => x * 1.01), rows: rowsOf(400) },
      { layout: undefined, minAgreement: 0.9 },
    );
    expect(same.agreement).toMatchObject({ compared: 400, agree: 400, share: 1, status: "ok" });
    expect(same.difference.kind).toBe("relative");
    expect(same.drift.b_vs_a?.psi).toBeLessThan(0.05);
    const shifted = compareRows(
      m,
      { a, b: a.map((x) => x + 200), rows: rowsOf(400) },
      { layout: undefined, minAgreement: 0.9 },
    );
    expect(shifted.agreement.status).toBe("critical");
    expect(shifted.drift.b_vs_a?.psi).toBeGreaterThan(1);
    expect(shifted.status).toBe("critical");
  });

  it("multiclass without a profile: classes as bins; too few rows is insufficient_data", () => {
    const m = { ...model("multiclass_classification"), minSamples: 100 };
    const a = ["a", "b", "c", "a"].flatMap((x) => Array(10).fill(x));
    const r = compareRows(m, { a, b: a, rows: rowsOf(a.length) }, { layout: undefined, minAgreement: 0.9 });
    expect(r.agreement.share).toBe(1);
    expect(r.drift.b_vs_a?.js).toBe(0);
    expect(r.status).toBe("insufficient_data");
  });
});
