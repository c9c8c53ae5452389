// Missing data is data-quality news, never a silent "ok" and never an invented drift (issue #8 §2,
// ADR 0009): statuses `missing` and `insufficient_data`, data-quality shares, per-value layouts.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import { driftReport, gateFails, gateLevel } from "../../src/stats/driftReport.js";
import { type Profile, parseProfile } from "../../src/stats/profile.js";
import { ProfileBuilder, type Row } from "../../src/stats/profileBuilder.js";
import { RowCounter } from "../../src/stats/rowCounter.js";

const yaml = (extra = "", feature = "") => `
models:
  - name: m
    task: regression
    min_samples: 10
    features:
      - {name: x, type: numeric}
      - {name: k, type: numeric${feature}}
      - {name: c, type: categorical}
${extra}`;
const modelOf = (extra = "", feature = "") => parseConfig(yaml(extra, feature)).models[0]!;

function profileOf(rows: Row[], model = modelOf()): Profile {
  const b = new ProfileBuilder(model);
  for (const r of rows) b.observe(r);
  b.fixBins();
  for (const r of rows) b.count(r);
  return b.build();
}

function report(ref: Row[], cur: Row[], model = modelOf()) {
  const profile = profileOf(ref, model);
  const layout = BinLayout.fromProfile(profile, model);
  const counter = new RowCounter(layout);
  for (const r of cur) counter.add(r);
  return driftReport(model, layout, counter, { reference: profile.rows, skipped: 0 });
}

const cats = ["a", "b", "c"];
const ref: Row[] = Array.from({ length: 300 }, (_, i) => ({ x: i, k: 7, c: cats[i % 3] }));
const feature = (r: ReturnType<typeof report>, name: string) => r.features.find((f) => f.name === name)!;

describe("a reference with no values for a feature", () => {
  const empty = ref.map((r) => ({ ...r, x: "" }));
  const r = report(empty, ref);
  it("has undefined drift: null values and status missing, never a number", () => {
    // before: zero reference counts gave JS ≈ 0.707 → critical
    expect(feature(r, "x")).toMatchObject({
      psi: null,
      kl: null,
      js: null,
      status: "missing",
      reason: "no_reference_values",
    });
  });
  it("does not trip the gate (baseline warns about it)", () => {
    expect(gateLevel(feature(r, "x"))).toBe("ok");
    expect(r.status).toBe("ok");
    expect(gateFails(r, "warning", false)).toBe(false);
  });
});

describe("a feature absent from, or 100 % missing in, the current data", () => {
  it("is status missing (absent), critical for --fail-on, with null drift", () => {
    const r = report(
      ref,
      ref.map(({ x: _x, ...rest }) => rest),
    );
    // before: status ok, exit 0 even with --fail-on warning
    expect(feature(r, "x")).toMatchObject({
      psi: null,
      status: "missing",
      reason: "missing",
      absent: true,
      missing: 300,
    });
    expect(r.status).toBe("critical");
    expect(gateFails(r, "critical", false)).toBe(true);
    expect(gateFails(r, "warning", false)).toBe(true);
  });
  it("a column that is there but empty is missing too, and one with only invalid values is missing (invalid)", () => {
    const r = report(
      ref,
      ref.map((row) => ({ ...row, c: null })),
    );
    expect(feature(r, "c")).toMatchObject({ status: "missing", reason: "missing" });
    expect(feature(r, "c").absent).toBeUndefined();
    const bad = report(
      ref,
      ref.map((row) => ({ ...row, x: "inf" })),
    );
    expect(feature(bad, "x")).toMatchObject({
      psi: null,
      status: "missing",
      reason: "invalid",
      invalid: 300,
    });
    expect(gateFails(bad, "critical", false)).toBe(true);
    expect(gateFails(r, "critical", false)).toBe(true);
  });
  it("even below min_samples", () => {
    const r = report(ref, [{ k: 7, c: "a" }]);
    expect(feature(r, "x")).toMatchObject({ status: "missing", reason: "missing", absent: true });
    expect(gateFails(r, "critical", false)).toBe(true);
  });
});

describe("min_samples in batch", () => {
  const drifted: Row[] = Array.from({ length: 5 }, () => ({ x: 1e6, k: 7, c: "a" }));
  const r = report(ref, drifted);
  it("below it: status insufficient_data, values still shown", () => {
    expect(feature(r, "x").status).toBe("insufficient_data");
    expect(feature(r, "x").psi).toBeGreaterThan(0.25);
    expect(r.status).toBe("insufficient_data");
  });
  it("does not trip --fail-on unless --fail-on-insufficient", () => {
    // before: five drifted rows failed the gate
    expect(gateFails(r, "warning", false)).toBe(false);
    expect(gateFails(r, "critical", false)).toBe(false);
    expect(gateFails(r, undefined, true)).toBe(true);
    expect(gateFails(r, "critical", true)).toBe(true);
  });
  it("at it: judged as usual", () => {
    const r10 = report(
      ref,
      Array.from({ length: 10 }, () => ({ x: 1e6, k: 7, c: "a" })),
    );
    expect(feature(r10, "x").status).toBe("critical");
  });
});

describe("data-quality shares", () => {
  const cur = (missingEvery: number): Row[] =>
    ref.map((row, i) => (i % missingEvery === 0 ? { ...row, c: null } : row));
  it("a missing share above data_quality.missing.warning (default 5 %) warns, naming the reason", () => {
    const r = report(ref, cur(10)); // 10 % missing, drift itself ok
    expect(feature(r, "c")).toMatchObject({ status: "warning", reason: "missing", missing: 30 });
    expect(gateFails(r, "warning", false)).toBe(true);
    expect(feature(report(ref, cur(4)), "c")).toMatchObject({ status: "critical", reason: "missing" });
  });
  it("follows the model's data_quality shares", () => {
    const m = modelOf("    data_quality: {missing: {warning: 0.15, critical: 0.3}}");
    expect(feature(report(ref, cur(10), m), "c").status).toBe("ok");
    expect(feature(report(ref, cur(4), m), "c")).toMatchObject({ status: "warning", reason: "missing" });
  });
  it("invalid and unseen shares too", () => {
    const bad = ref.map((row, i) => (i % 5 === 0 ? { ...row, x: "1e309", c: "zzz" } : row));
    const r = report(ref, bad);
    expect(feature(r, "x")).toMatchObject({ status: "warning", reason: "invalid", invalid: 60 });
    // 20 % in a new category is drift as well: critical by PSI, the unseen count shown
    expect(feature(r, "c")).toMatchObject({ status: "critical", unseen: 60 });
  });
});

describe("few distinct reference values: one bin per value", () => {
  it("a constant gets a per-value layout, and values moving above it give a large PSI", () => {
    const p = profileOf(ref);
    const k = p.features[1]!;
    expect(k).toMatchObject({ layout: "values", values: [7], counts: [300, 0] });
    expect(k.type === "numeric" && k.layout_reason).toMatch(/constant/);
    // before: one edge at 7, and 8 stayed in the same bin: PSI 0
    const r = report(
      ref,
      ref.map((row) => ({ ...row, k: 8 })),
    );
    expect(feature(r, "k").psi).toBeGreaterThan(5);
    expect(feature(r, "k").status).toBe("critical");
    expect(feature(r, "k").bins.map((b) => b.bin)).toEqual(["7", "__other__"]);
  });
  it("up to max_distinct_values (default 20) values are binned per value, more by quantiles", () => {
    const rows = (n: number) => Array.from({ length: 400 }, (_, i) => ({ x: i % n, k: 1, c: "a" }));
    expect(profileOf(rows(20)).features[0]).toMatchObject({
      layout: "values",
      values: [...Array(20).keys()],
    });
    expect(profileOf(rows(21)).features[0]).toMatchObject({ layout: "quantiles" });
    // per model and per feature
    expect(profileOf(rows(21), modelOf("    max_distinct_values: 30")).features[0]).toMatchObject({
      layout: "values",
    });
    const perFeature = modelOf("", ", max_distinct_values: 0");
    expect(profileOf(ref, perFeature).features[1]).toMatchObject({ layout: "quantiles", edges: [7] });
  });
  it("a value between reference values goes to __other__", () => {
    const model = modelOf();
    const p = profileOf(
      Array.from({ length: 30 }, (_, i) => ({ x: i % 3, k: 1, c: "a" })),
      model,
    );
    const layout = BinLayout.fromProfile(p, model);
    const s = layout.slots[0]!;
    expect([0, 1, 2, 1.5, -1, 3].map((v) => layout.binOf(s, v) - s.offset)).toEqual([0, 1, 2, 3, 3, 3]);
  });
  it("the profile round-trips and a v1 profile is refused with a rebuild hint", () => {
    const p = profileOf(ref);
    expect(parseProfile(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(() => parseProfile({ ...p, schema_version: 1 })).toThrow(/rebuild it with `infermon baseline`/);
  });
});
