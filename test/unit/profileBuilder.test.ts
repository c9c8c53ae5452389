import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { BinLayout, INVALID_BIN, MISSING_BIN } from "../../src/stats/binLayout.js";
import { type Profile, ProfileError, parseProfile } from "../../src/stats/profile.js";
import { ProfileBuilder, type Row } from "../../src/stats/profileBuilder.js";
import { RowCounter } from "../../src/stats/rowCounter.js";

const config = parseConfig(`
models:
  - name: m
    task: binary_classification
    features:
      - {name: x, type: numeric, bins: 4}
      - {name: e, type: numeric, edges: [0, 10]}
      - {name: c, type: categorical, top_k: 2}
    prediction: {output: score}
`);
const model = config.models[0]!;

function build(rows: Row[]): Profile {
  const b = new ProfileBuilder(model);
  for (const r of rows) b.observe(r);
  b.fixBins();
  for (const r of rows) b.count(r);
  return b.build();
}

const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({
  x: i,
  e: i - 50,
  c: ["a", "a", "a", "b", "b", "z"][i % 6],
  score: i / 100,
}));

describe("ProfileBuilder", () => {
  const p = build(rows);
  it("uses quantile edges, honours explicit edges, and counts every row", () => {
    const [x, e, c] = p.features;
    expect(x).toMatchObject({ type: "numeric", edges: [24.75, 49.5, 74.25], counts: [25, 25, 25, 25] });
    expect(e).toMatchObject({ type: "numeric", edges: [0, 10], counts: [50, 10, 40] });
    expect(c).toMatchObject({
      type: "categorical",
      categories: ["a", "b"],
      counts: [51, 33, 16],
      other_values: ["z"],
    });
    expect(p.rows).toBe(100);
    expect(p.schema_version).toBe(2);
  });
  it("profiles a numeric prediction", () => {
    expect(p.prediction).toMatchObject({ name: "score", type: "numeric" });
    expect(p.prediction?.counts.reduce((a, b) => a + b, 0)).toBe(100);
  });
  it("counts missing and invalid values without binning them", () => {
    const q = build([
      { x: 1, e: "oops", c: null },
      { x: null, e: 5, c: "a" },
      { x: "NaN", e: 1, c: { bad: 1 } },
      { x: "NA", e: "1e309", c: Number.POSITIVE_INFINITY },
    ]);
    const [x, e, c] = q.features;
    // NaN, however written, is a non-finite number: invalid, like 1e309 (ADR 0009)
    expect(x).toMatchObject({ missing: 2, invalid: 1 });
    expect(e).toMatchObject({ missing: 0, invalid: 2, counts: [0, 2, 0] });
    expect(c).toMatchObject({ missing: 1, invalid: 2 });
  });
  it("leaves the prediction out when the data has none", () => {
    expect(build([{ x: 1, e: 1, c: "a" }]).prediction).toBeUndefined();
  });
  it("profiles class labels as categories", () => {
    const q = build([
      { x: 1, e: 1, c: "a", score: "yes" },
      { x: 2, e: 1, c: "a", score: "no" },
    ]);
    expect(q.prediction).toMatchObject({ type: "categorical" });
  });
  it("round-trips through JSON and parseProfile", () => {
    expect(parseProfile(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });
});

describe("parseProfile", () => {
  it("rejects another schema version clearly", () => {
    expect(() =>
      parseProfile({ schema: "infermon.profile", schema_version: 99, model: "m", features: [] }),
    ).toThrow(/schema_version 99 is not supported/);
  });
  it("rejects files that are not profiles", () => {
    expect(() => parseProfile({ hello: 1 })).toThrow(ProfileError);
    expect(() => parseProfile([1, 2])).toThrow(/not an infermon profile/);
  });
  it("rejects counts that do not fit the bins", () => {
    const bad = {
      schema: "infermon.profile",
      schema_version: 2,
      model: "m",
      features: [{ name: "x", type: "numeric", layout: "quantiles", edges: [1], counts: [1, 2, 3] }],
    };
    expect(() => parseProfile(bad)).toThrow(/features\[0\]\.counts: expected 2 bins/);
  });
});

describe("BinLayout and RowCounter", () => {
  const p = build(rows);
  const layout = BinLayout.fromProfile(p, model);
  it("lays features then the prediction out in one flat array", () => {
    expect(layout.slots.map((s) => [s.name, s.offset])).toEqual([
      ["x", 0],
      ["e", 4],
      ["c", 7],
      ["score", 10],
    ]);
    expect(layout.featureCount).toBe(3);
    expect(layout.predictionSlot).toBe(3);
  });
  it("flags missing, invalid and unseen values", () => {
    const [x, , c] = layout.slots;
    expect(layout.binOf(x!, null)).toBe(MISSING_BIN);
    expect(layout.binOf(x!, "text")).toBe(INVALID_BIN);
    expect(layout.isUnseen(c!, "z")).toBe(false); // in the reference's __other__
    expect(layout.isUnseen(c!, "never")).toBe(true);
    const counter = new RowCounter(layout);
    counter.add({ x: 3, e: null, c: "never", score: 0.5 });
    expect(counter.missing[1]).toBe(1);
    expect(counter.unseen[2]).toBe(1);
    expect(counter.counts[9]).toBe(1); // __other__ of c
  });
  it("refuses a profile that lacks a configured feature", () => {
    const partial = { ...p, features: p.features.slice(0, 2) };
    expect(() => BinLayout.fromProfile(partial, model)).toThrow(/has no feature "c"/);
  });
});
