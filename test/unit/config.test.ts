import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { findModel, loadConfig, parseConfig } from "../../src/config/load.js";

function issues(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const MINIMAL = `
models:
  - name: credit
    task: binary_classification
    features: [{name: income, type: numeric}]
`;

describe("configuration", () => {
  it("loads the example and applies defaults", () => {
    const c = loadConfig("examples/infermon.yaml");
    expect(c.service).toBe("credit-scoring");
    const m = findModel(c, "credit");
    expect(m.features[0]).toEqual({ name: "income", type: "numeric", bins: 10, maxDistinctValues: 20 });
    expect(m.features[2]).toEqual({
      name: "score",
      type: "numeric",
      bins: 6,
      edges: [300, 580, 670, 740, 800],
      maxDistinctValues: 0,
    });
    expect(m.features[3]).toEqual({ name: "region", type: "categorical", topK: 20 });
    expect(m.windows).toEqual([
      { name: "5m", kind: "time", ms: 300_000 },
      { name: "1h", kind: "time", ms: 3_600_000 },
    ]);
    expect(m.reference).toMatch(/examples\/reference\/credit\.json$/);
    expect(m.slo.availability).toEqual({ objective: 99.9, period: "30d", periodMs: 30 * 86_400_000 });
    expect(c.tap?.timeoutMs).toBe(30_000);
  });

  it("has sensible defaults for a minimal file", () => {
    const m = parseConfig(MINIMAL).models[0]!;
    expect(m.protocol).toBe("open-inference-v2");
    expect(m.drift.smoothing).toEqual({ method: "laplace", alpha: 0.5 });
    // no fixed levels: JS at levels that follow the sample size (nothing to learn without expected_rate)
    expect(m.drift.statistic).toBe("js");
    expect(m.drift.fixed).toEqual({});
    expect(m.drift.learn).toBe(false);
    expect(m.minSamples).toBe(200);
    expect(m.prediction.output).toBe("prediction");
    expect(m.route).toBe("/v2/models/credit");
  });

  it("names unknown keys by their path", () => {
    expect(issues(`${MINIMAL}    colour: blue\n`)).toContain("models[0].colour: unknown key");
    expect(issues(`${MINIMAL}tap: {upstream: "http://x:1", listn: ":1"}\n`)).toContain(
      "tap.listn: unknown key",
    );
  });

  it("rejects non-increasing edges", () => {
    const y = MINIMAL.replace(
      "{name: income, type: numeric}",
      "{name: income, type: numeric, edges: [1, 5, 5]}",
    );
    expect(issues(y)).toContain("models[0].features[0].edges: must be increasing");
  });

  it("rejects wrong types, bad durations and duplicate names", () => {
    const y = `
models:
  - name: a
    task: regression
    min_samples: lots
    windows: [5 minutes]
`;
    const got = issues(y);
    expect(got.some((i) => i.startsWith("models[0].min_samples:"))).toBe(true);
    expect(got).toContain(
      'models[0].windows[0]: must be a duration like 5m, 1h, or a count like "5000 events" (1 to 1000000)',
    );
    // cross-field checks run once every field has the right type
    const dup = `
models:
  - name: a
    task: regression
    features: [{name: x, type: numeric}, {name: x, type: categorical}]
  - name: a
    task: regression
`;
    expect(issues(dup)).toContain('models[0].features[1].name: duplicate feature "x"');
    expect(issues(dup)).toContain('models[1].name: duplicate model name "a" (also models[0])');
  });

  it("reads data_quality shares and max_distinct_values, with defaults", () => {
    const m = parseConfig(MINIMAL).models[0]!;
    expect(m.dataQuality).toEqual({
      missing: { warning: 0.05, critical: 0.2 },
      invalid: { warning: 0.05, critical: 0.2 },
      unseen: { warning: 0.05, critical: 0.2 },
    });
    expect(m.features[0]).toMatchObject({ maxDistinctValues: 20 });
    const set = parseConfig(
      `${MINIMAL}    max_distinct_values: 5
    data_quality: {missing: {warning: 0.01, critical: 0.5}}
`,
    ).models[0]!;
    expect(set.dataQuality.missing).toEqual({ warning: 0.01, critical: 0.5 });
    expect(set.dataQuality.unseen).toEqual({ warning: 0.05, critical: 0.2 });
    expect(set.features[0]).toMatchObject({ maxDistinctValues: 5 });
  });

  it("rejects bad data_quality shares and misplaced max_distinct_values, naming the key", () => {
    const y = `
models:
  - name: a
    task: regression
    data_quality: {missing: {warning: 1.5, critical: 2}, invalid: {warning: 0.3, critical: 0.1}, unseen: {warning: 0.1}, typo: {}}
    features:
      - {name: x, type: categorical, max_distinct_values: 3}
      - {name: y, type: numeric, edges: [1, 2], max_distinct_values: 3}
      - {name: z, type: numeric, max_distinct_values: -1}
`;
    const got = issues(y);
    expect(got).toContain("models[0].data_quality.missing.warning: must be a share in [0, 1]");
    expect(got).toContain("models[0].data_quality.missing.critical: must be a share in [0, 1]");
    expect(got).toContain("models[0].data_quality.typo: unknown key");
    expect(got.some((i) => i.startsWith("models[0].data_quality.unseen.critical:"))).toBe(true);
    expect(got).toContain("models[0].features[0].max_distinct_values: only for numeric features");
    expect(got).toContain(
      "models[0].features[1].max_distinct_values: not with edges (explicit edges are used as given)",
    );
    expect(got.some((i) => i.startsWith("models[0].features[2].max_distinct_values:"))).toBe(true);
    const order = `${MINIMAL}    data_quality: {invalid: {warning: 0.3, critical: 0.1}}
`;
    expect(issues(order)).toContain(
      "models[0].data_quality.invalid.critical: critical must be at least warning",
    );
  });

  it("reads labels.tolerance for regression and names the key when it is missing or misplaced", () => {
    const house = (extra: string) => `
models:
  - name: h
    task: regression
${extra}`;
    const c = parseConfig(
      house("    labels: {tolerance: {relative: 0.1}}\n    slo: {correctness: {objective: 90}}\n"),
    );
    expect(c.models[0]?.labels.tolerance).toEqual({ absolute: 0, relative: 0.1 });
    expect(parseConfig(house("")).models[0]?.labels.tolerance).toBeUndefined();
    expect(issues(house("    slo: {correctness: {objective: 90}}\n"))).toContain(
      "models[0].labels.tolerance: required for a regression model with slo.correctness (when is a prediction correct?)",
    );
    const bad = issues(house("    labels: {tolerance: {absolute: -1}}\n"));
    expect(bad.some((i) => i.startsWith("models[0].labels.tolerance.absolute:"))).toBe(true);
    expect(issues(house("    labels: {tolerance: {}}\n"))).toContain(
      "models[0].labels.tolerance: give absolute, relative or both",
    );
    expect(issues(`${MINIMAL}    labels: {tolerance: {absolute: 1}}\n`)).toContain(
      "models[0].labels.tolerance: only for regression models (a class is right or wrong)",
    );
  });

  it("reads count windows next to time windows, and needs one time window", () => {
    const c = parseConfig(`${MINIMAL}    windows: [1h, 5000 events, "200 events"]\n`);
    expect(c.models[0]?.windows).toEqual([
      { name: "1h", kind: "time", ms: 3_600_000 },
      { name: "5000 events", kind: "events", events: 5000 },
      { name: "200 events", kind: "events", events: 200 },
    ]);
    expect(issues(`${MINIMAL}    windows: [5000 events]\n`)).toContain(
      "models[0].windows: needs at least one time window (e.g. 1h): the generated fleet rules and alerts read the longest",
    );
    expect(issues(`${MINIMAL}    windows: [1h, 10 events, 10events]\n`)).toContain(
      'models[0].windows[2]: duplicate window "10 events"',
    );
    for (const bad of ["0 events", "1000001 events", "5000 rows", "-5 events"])
      expect(issues(`${MINIMAL}    windows: [1h, "${bad}"]\n`)).toContain(
        'models[0].windows[1]: must be a duration like 5m, 1h, or a count like "5000 events" (1 to 1000000)',
      );
  });

  it("reads prediction.score_bins (classification only)", () => {
    const c = parseConfig(`${MINIMAL}    prediction: {score_bins: 100}\n`);
    expect(c.models[0]?.prediction.scoreBins).toBe(100);
    expect(parseConfig(MINIMAL).models[0]?.prediction.scoreBins).toBe(50);
    expect(
      issues(`${MINIMAL}    prediction: {score_bins: 1}\n`).some((i) =>
        i.startsWith("models[0].prediction.score_bins:"),
      ),
    ).toBe(true);
    expect(
      issues(`
models:
  - name: h
    task: regression
    prediction: {score_bins: 20}
`),
    ).toContain("models[0].prediction.score_bins: only for classification (the bins of class scores)");
  });

  it("requires prediction.classes for a multiclass model that expects labels, naming the key", () => {
    const iris = (extra: string) => `
models:
  - name: iris
    task: multiclass_classification
${extra}`;
    const msg =
      "models[0].prediction.classes: required for multiclass_classification with quality, slo.correctness or labels (precision, recall and F1 are per class)";
    expect(issues(iris("    quality: {accuracy: {warning: 0.9, critical: 0.8}}\n"))).toContain(msg);
    expect(issues(iris("    slo: {correctness: {objective: 95}}\n"))).toContain(msg);
    expect(issues(iris("    labels: {ttl: 1h}\n"))).toContain(msg);
    // drift only: classes may be read from traffic as they come
    expect(parseConfig(iris("")).models[0]?.prediction.classes).toBeUndefined();
    const ok = parseConfig(
      iris("    prediction: {classes: [a, b, c]}\n    slo: {correctness: {objective: 95}}\n"),
    );
    expect(ok.models[0]?.prediction.classes).toEqual(["a", "b", "c"]);
  });

  it("rejects an objective outside (0, 100) and a runbook base that is not a URL", () => {
    const y = `${MINIMAL}    slo: {availability: {objective: 100}}\nalerting: {runbook_base_url: "not a url"}\n`;
    const got = issues(y);
    expect(got).toContain("models[0].slo.availability.objective: must be in (0, 100)");
    expect(got).toContain("alerting.runbook_base_url: must be an absolute URL");
  });

  it("rejects an owner without a route", () => {
    const y = `${MINIMAL}    owner: team-x\nalerting: {owners: {team-y: {page: p, ticket: t}}}\n`;
    expect(issues(y)).toContain('models[0].owner: no route for owner "team-x" in alerting.owners');
  });

  it("reports YAML syntax errors with a line", () => {
    expect(issues("models: [\n  - name: x\n")[0]).toMatch(/^line \d+:/);
  });

  it("requires at least one model", () => {
    expect(issues("service: x\n")).toContain("models: Invalid input: expected array, received undefined");
    expect(issues("models: []\n")).toContain("models: at least one model is required");
  });

  it("reports an unreadable file", () => {
    expect(() => loadConfig("/nonexistent/infermon.yaml")).toThrow(/cannot read file/);
  });

  it("names the known models when one is not found", () => {
    expect(() => findModel(parseConfig(MINIMAL), "nope")).toThrow(/no model named "nope" \(known: credit\)/);
  });
});
