// Learned drift levels (drift.thresholds: auto): the bootstrap, the profile's `thresholds`, the
// configuration keys, and which levels a feature is judged by.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withBatchLevels, withProfileLevels } from "../../src/batch/learnedLevels.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { rng } from "../../src/demo/creditData.js";
import { bootstrapLevels } from "../../src/stats/bootstrapThresholds.js";
import { driftValues, levelsInForce } from "../../src/stats/drift.js";
import { learnedLevels, learnThresholds } from "../../src/stats/learnedThresholds.js";
import { PROFILE_SCHEMA_VERSION, type Profile, parseProfile } from "../../src/stats/profile.js";
import { sampleSizeLevels } from "../../src/stats/sampleSizeLevels.js";

const LAPLACE = { method: "laplace", alpha: 0.5 } as const;
const opts = { resamples: 300, percentiles: { warning: 99, critical: 99.9 }, smoothing: LAPLACE, seed: 3 };
const REF = [500, 400, 300, 200, 100, 50];

const yaml = (drift: string, slo = "") => `
models:
  - name: m
    task: regression
    features: [{name: a, type: numeric}, {name: b, type: numeric}]
    windows: [5m, 1h]
    drift: ${drift}
${slo}`;

function profile(): Profile {
  return parseProfile({
    schema: "infermon.profile",
    schema_version: PROFILE_SCHEMA_VERSION,
    model: "m",
    model_version: "1",
    rows: 1550,
    features: [
      {
        name: "a",
        type: "numeric",
        layout: "edges",
        edges: [1, 2, 3, 4, 5],
        counts: REF,
        missing: 0,
        invalid: 0,
      },
      { name: "b", type: "numeric", layout: "edges", edges: [1], counts: [0, 0], missing: 10, invalid: 0 },
    ],
  });
}

describe("bootstrap levels", () => {
  it("are reproducible, critical ≥ warning, and looser for smaller windows", () => {
    const small = bootstrapLevels(REF, 200, opts);
    expect(bootstrapLevels(REF, 200, opts)).toEqual(small);
    const large = bootstrapLevels(REF, 20_000, opts);
    for (const stat of ["psi", "kl", "js"] as const) {
      expect(small[stat].critical).toBeGreaterThanOrEqual(small[stat].warning);
      expect(large[stat].warning).toBeLessThan(small[stat].warning);
    }
  });

  it("hold stable windows of the population under critical, and flag a real shift", () => {
    // windows drawn from the population the reference came from, not from the reference
    const r = rng(9);
    const p = REF.map((c) => c / 1550);
    const draw = (n: number, probs: number[]) => {
      const counts = probs.map(() => 0);
      for (let i = 0; i < n; i++) {
        let u = r.next();
        let b = 0;
        while (b < probs.length - 1 && u >= (probs[b] as number)) u -= probs[b++] as number;
        counts[b] = (counts[b] as number) + 1;
      }
      return counts;
    };
    const levels = bootstrapLevels(REF, 1000, { ...opts, resamples: 1000 });
    let over = 0;
    for (let i = 0; i < 200; i++)
      if (driftValues(draw(1000, p), REF, LAPLACE).psi >= levels.psi.critical) over++;
    expect(over).toBeLessThanOrEqual(2);
    const shifted = [p[1], p[2], p[3], p[4], p[5], p[0]] as number[];
    expect(driftValues(draw(1000, shifted), REF, LAPLACE).psi).toBeGreaterThan(levels.psi.critical);
  });

  it("never gives a negative or non-finite level (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 1, max: 300 }),
        (ref, n) => {
          fc.pre(ref.some((c) => c > 0));
          const l = bootstrapLevels(ref, n, { ...opts, resamples: 100 });
          for (const s of [l.psi, l.kl, l.js]) {
            expect(Number.isFinite(s.warning) && s.warning >= 0).toBe(true);
            expect(s.critical).toBeGreaterThanOrEqual(s.warning);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("learned thresholds in the profile", () => {
  const model = parseConfig(yaml("{thresholds: auto, expected_rate: 2}")).models[0]!;

  it("are learned per window (expected_rate × window events) and feature, skipping empty references", () => {
    const t = learnThresholds(model, profile(), { resamples: 200 });
    expect(t.windows["5m"]?.events).toBe(600);
    expect(t.windows["1h"]?.events).toBe(7200);
    expect(Object.keys(t.windows["1h"]?.levels ?? {})).toEqual(["a"]);
    // round trip through the profile file
    const p = parseProfile(JSON.parse(JSON.stringify({ ...profile(), thresholds: t })));
    expect(p.thresholds).toEqual(t);
  });

  it("are refused when learned for another expected rate, or missing", () => {
    const other = parseConfig(yaml("{thresholds: auto, expected_rate: 5}")).models[0]!;
    const p = { ...profile(), thresholds: learnThresholds(model, profile(), { resamples: 200 }) };
    expect(() => learnedLevels(other, p, "p.json")).toThrow(/expected_rate 2, the configuration says 5/);
    expect(() => learnedLevels(model, profile(), "p.json")).toThrow(/no learned drift levels/);
  });

  it("judge a feature by its learned levels of the longest window; one without them by its sample size", () => {
    const p = { ...profile(), thresholds: learnThresholds(model, profile(), { resamples: 200 }) };
    const judged = withProfileLevels(model, p, "p.json");
    const learned = p.thresholds.windows["1h"]?.levels.a?.js;
    expect(levelsInForce(judged, "a", 100, REF)).toEqual({
      statistic: "js",
      source: "learned",
      ...learned,
      n: 100,
    });
    expect(levelsInForce(judged, "b", 100, REF)).toEqual({
      statistic: "js",
      source: "sample_size",
      ...sampleSizeLevels("js", 100, REF),
      n: 100,
    });
    // a batch is judged at its own size
    const batch = withBatchLevels(model, p, () => 50);
    expect(levelsInForce(batch, "a", 50, REF).critical).toBeGreaterThan(
      levelsInForce(judged, "a", 50, REF).critical,
    );
  });
});

describe("configuration keys", () => {
  it("levels are learned with expected_rate, follow the sample size without; fixed ones must name the statistic", () => {
    expect(parseConfig(yaml("{thresholds: auto}")).models[0]?.drift.learn).toBe(false);
    expect(parseConfig(yaml("{expected_rate: 3}")).models[0]?.drift.learn).toBe(true);
    expect(
      parseConfig(yaml("{thresholds: {psi: {warning: 0.1, critical: 0.2}}, statistic: psi}")).models[0]?.drift
        .fixed,
    ).toEqual({
      psi: { warning: 0.1, critical: 0.2 },
    });
    // fixed PSI levels while JS alerts would be silently ignored: an error naming the key
    expect(() => parseConfig(yaml("{thresholds: {psi: {warning: 0.1, critical: 0.2}}}"))).toThrow(
      ConfigError,
    );
    try {
      parseConfig(yaml("{thresholds: {psi: {warning: 0.1, critical: 0.2}}}"));
    } catch (e) {
      expect((e as ConfigError).issues[0]?.path).toBe("models[0].drift.thresholds.js");
    }
    const m = parseConfig(yaml("{for: 30m}", "    slo: {availability: {objective: 99}, min_bad_events: 7}"))
      .models[0]!;
    expect(m.drift.for).toBe("30m");
    expect(m.drift.learn).toBe(false);
    expect(m.slo.minBadEvents).toBe(7);
    expect(parseConfig(yaml("{}")).models[0]?.slo.minBadEvents).toBe(4);
  });
});
