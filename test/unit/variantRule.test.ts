// Which A/B variant a request belongs to (src/variants/variantRule.ts): header, cookie, route and
// hash; anything that is not a configured name, or none, is `other`; config errors name the key.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { VariantsConfig } from "../../src/config/model.js";
import { cookieValue, fnv1a, variantRule } from "../../src/variants/variantRule.js";

const cfg = (by: VariantsConfig["by"], key: string, names = ["a", "b"]): VariantsConfig => ({
  by,
  key,
  names,
  test: { alpha: 0.05, effect: { errors: 0.01, loss: 0.02 }, minSamples: 100 },
});

describe("variantRule", () => {
  it("reads a header (case-insensitive name), bounded by the names", () => {
    const rule = variantRule(cfg("header", "x-variant"));
    expect(rule({ headers: { "x-variant": "b" }, url: "/" })).toBe("b");
    expect(rule({ headers: { "x-variant": " a " }, url: "/" })).toBe("a");
    expect(rule({ headers: { "x-variant": "c" }, url: "/" })).toBe("other");
    expect(rule({ headers: {}, url: "/" })).toBe("other");
    expect(rule({ headers: { "x-variant": "x".repeat(10_000) }, url: "/" })).toBe("other");
  });

  it("reads a cookie", () => {
    expect(cookieValue("session=1; ab=b; x=2", "ab")).toBe("b");
    expect(cookieValue('ab="a"', "ab")).toBe("a");
    expect(cookieValue("abc=a", "ab")).toBeUndefined();
    const rule = variantRule(cfg("cookie", "ab"));
    expect(rule({ headers: { cookie: "foo=bar; ab=a" }, url: "/" })).toBe("a");
    expect(rule({ headers: { cookie: "AB=a" }, url: "/" })).toBe("other");
  });

  it("reads the capturing group of a route pattern, without the query", () => {
    const rule = variantRule(cfg("route", "^/v2/models/credit/versions/([^/]+)/", ["1", "2"]));
    expect(rule({ headers: {}, url: "/v2/models/credit/versions/2/infer?x=1" })).toBe("2");
    expect(rule({ headers: {}, url: "/v2/models/credit/infer" })).toBe("other");
    expect(rule({ headers: {}, url: "/v2/models/credit/versions/9/infer" })).toBe("other");
  });

  it("hashes a header into the names (FNV-1a 32 bit), stable per user", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
    const rule = variantRule(cfg("hash", "x-user-id"));
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 10_000; i++) {
      const v = rule({ headers: { "x-user-id": `user-${i}` }, url: "/" });
      counts[v] = (counts[v] ?? 0) + 1;
      expect(rule({ headers: { "x-user-id": `user-${i}` }, url: "/" })).toBe(v);
    }
    expect(counts.a).toBeGreaterThan(4700);
    expect(counts.b).toBeGreaterThan(4700);
    expect(rule({ headers: {}, url: "/" })).toBe("other");
  });
});

const base = (extra: string, task = "binary_classification") => `models:
  - name: m
    task: ${task}
${extra}`;
const errorOf = (text: string): string => {
  try {
    parseConfig(text, "infermon.yaml", "/tmp");
  } catch (err) {
    return (err as Error).message;
  }
  return "";
};

describe("variants, shadow and rollout keys", () => {
  it("normalises with defaults", () => {
    const c = parseConfig(
      base(
        "    variants: {by: header, key: X-Arm, names: [a, b]}\n    shadow: {upstream: http://127.0.0.1:9001}\n    rollout: {}\ntap: {upstream: http://127.0.0.1:9000}\n",
      ),
      "f",
      "/tmp",
    );
    const m = c.models[0];
    expect(m?.variants).toEqual({
      by: "header",
      key: "x-arm",
      names: ["a", "b"],
      test: { alpha: 0.05, effect: { errors: 0.01, loss: 0.02 }, minSamples: 200 },
    });
    expect(m?.shadow).toMatchObject({
      sample: 1,
      timeoutMs: 10_000,
      maxInFlight: 16,
      queueSize: 1000,
      minAgreement: 0.9,
    });
    expect(m?.rollout).toMatchObject({ window: "5m", windowMs: 300_000, minSamples: 200, maxBurnRate: 6 });
  });

  it.each([
    ["    variants: {by: header, key: x, names: [a]}\n", "models[0].variants.names"],
    ["    variants: {by: header, key: x, names: [a, a]}\n", 'duplicate name "a"'],
    ["    variants: {by: header, key: x, names: [a, other]}\n", "models[0].variants.names[1]"],
    ["    variants: {by: header, key: 'x y', names: [a, b]}\n", "must be a header name"],
    ["    variants: {by: route, key: '^/v2/(a|b)/(c)', names: [a, b]}\n", "exactly one capturing group"],
    ["    variants: {by: route, key: '([', names: [a, b]}\n", "not a regular expression"],
    ["    variants: {by: query, key: x, names: [a, b]}\n", "models[0].variants.by"],
    ["    shadow: {upstream: ftp://x}\n", "models[0].shadow.upstream"],
    ["    shadow: {upstream: http://x, sample: 2}\n", "models[0].shadow.sample"],
    ["    shadow: {upstream: http://x, tolerance: {relative: 0.1}}\n", "only for regression models"],
    ["    rollout: {window: soon}\n", "models[0].rollout.window"],
    ["    shadow: {upstream: http://x}\n", "models[0].shadow: needs tap:"],
  ])("rejects %j naming the key", (extra, message) => {
    expect(errorOf(base(extra))).toContain(message);
  });

  it("needs the loss effect of a regression model with variants", () => {
    expect(errorOf(base("    variants: {by: header, key: x, names: [a, b]}\n", "regression"))).toContain(
      "models[0].variants.test.effect.loss: required for a regression model",
    );
  });
});
