// `infermon baseline` and `infermon drift` on missing data, through the built CLI (issue #8 §2,
// ADR 0009): absent and empty columns, nested JSONL, empty reference features, min_samples.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/stats/driftReport.js";
import { cliTimeout, creditDriftArgs, infermon } from "../helpers/cli.js";

const CFG = "examples/infermon.yaml";
const TRAIN = "examples/data/credit-train.csv";
const tmp = mkdtempSync(join(tmpdir(), "infermon-missing-"));
const at = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const lines = readFileSync(TRAIN, "utf8").trim().split("\n");
const header = (lines[0] as string).split(",");
const body = lines.slice(1, 1001).map((l) => l.split(","));
/** the first 1000 training rows as CSV, with `edit` applied to each row's cells by column name */
const csv = (name: string, edit: (cells: Record<string, string>) => Record<string, string>) => {
  const rows = body.map((cells) => edit(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]))));
  const cols = Object.keys(rows[0] as object);
  return at(name, `${cols.join(",")}\n${rows.map((r) => cols.map((c) => r[c]).join(",")).join("\n")}\n`);
};
const drift = (current: string, ...more: string[]) => infermon(creditDriftArgs(current, ...more));
const feature = (r: DriftReport, name: string) => r.features.find((f) => f.name === name);

describe("drift: a feature absent from the current data fails the gate", () => {
  const noAge = csv("no-age.csv", ({ age: _age, ...rest }) => rest);
  it("CSV without the column: status missing (absent), null drift, exit 1 with --fail-on", {
    timeout: cliTimeout(3),
  }, () => {
    // before: age was reported ok and the gate passed (exit 0 even with --fail-on warning)
    const r = drift(noAge, "--fail-on", "critical");
    expect(r.code, r.stderr).toBe(1);
    const rep: DriftReport = JSON.parse(r.stdout);
    expect(feature(rep, "age")).toMatchObject({
      psi: null,
      kl: null,
      js: null,
      status: "missing",
      reason: "missing",
      absent: true,
    });
    expect(rep.status).toBe("critical");
    expect(drift(noAge).code).toBe(0); // no --fail-on: report only
    expect(drift(noAge, "--fail-on", "warning").code).toBe(1);
  });
  it("the table names it", { timeout: cliTimeout(1) }, () => {
    const r = drift(noAge, "--format", "table");
    // no levels and nothing judged: the levels and set-by columns are empty
    expect(r.stdout).toMatch(/^age\s+numeric\s+-\s+-\s+-\s+1000\s+0\s+-\s+!! MISSING \(absent\)\s+-$/m);
    expect(r.stdout).toMatch(/^status: critical \(.*missing: age\)$/m);
  });
  it("a column that is there but empty: missing, exit 1", { timeout: cliTimeout(1) }, () => {
    const r = drift(
      csv("empty-age.csv", (c) => ({ ...c, age: "" })),
      "--fail-on",
      "critical",
    );
    expect(r.code).toBe(1);
    expect(feature(JSON.parse(r.stdout), "age")).toMatchObject({ status: "missing", reason: "missing" });
  });
  it("JSONL whose values sit under a nested object: every feature missing, exit 1", {
    timeout: cliTimeout(1),
  }, () => {
    const nested = at(
      "nested.jsonl",
      `${body
        .slice(0, 300)
        .map(([income, age, score, region]) =>
          JSON.stringify({
            features: { income: Number(income), age: Number(age), score: Number(score), region },
          }),
        )
        .join("\n")}\n`,
    );
    const r = drift(nested, "--fail-on", "critical");
    expect(r.code).toBe(1);
    const rep: DriftReport = JSON.parse(r.stdout);
    expect(rep.features.map((f) => [f.name, f.status, f.reason, f.absent])).toEqual([
      ["income", "missing", "missing", true],
      ["age", "missing", "missing", true],
      ["score", "missing", "missing", true],
      ["region", "missing", "missing", true],
    ]);
  });
  it("a missing share past data_quality.missing fails at its level", { timeout: cliTimeout(3) }, () => {
    // every 8th income empty: 12.5 % > warning 5 %, < critical 20 %; drift itself ok
    const r = drift(
      csv("some-missing.csv", (c) => c),
      "--fail-on",
      "warning",
    );
    expect(r.code).toBe(0);
    let i = 0;
    const some = csv("some-missing2.csv", (c) => ({
      ...c,
      income: i++ % 8 === 0 ? "" : (c.income as string),
    }));
    const w = drift(some, "--fail-on", "warning");
    expect(w.code).toBe(1);
    // the training rows already miss a few incomes: 125 blanked plus those
    const income = feature(JSON.parse(w.stdout), "income");
    expect(income).toMatchObject({ status: "warning", reason: "missing" });
    expect(income?.missing).toBeGreaterThanOrEqual(125);
    expect(drift(some, "--fail-on", "critical").code).toBe(0);
  });
});

describe("drift: min_samples", () => {
  const few = at(
    "few.csv",
    `${lines[0]}\n${["150000,20,300,west,0.9,1", "160000,21,310,west,0.9,1", "170000,22,320,west,0.9,1", "180000,23,330,west,0.9,1", "190000,24,340,west,0.9,1"].join("\n")}\n`,
  );
  it("below it: insufficient_data with values shown, --fail-on not tripped", {
    timeout: cliTimeout(1),
  }, () => {
    // before: five drifted rows failed a critical gate
    const r = drift(few, "--fail-on", "critical");
    expect(r.code, r.stderr).toBe(0);
    const rep: DriftReport = JSON.parse(r.stdout);
    expect(rep.status).toBe("insufficient_data");
    expect(feature(rep, "income")).toMatchObject({ status: "insufficient_data" });
    expect(feature(rep, "income")?.psi).toBeGreaterThan(0.25);
    expect(r.stderr).toContain("below min_samples (200)");
  });
  it("--fail-on-insufficient fails it (exit 1)", { timeout: cliTimeout(2) }, () => {
    expect(drift(few, "--fail-on-insufficient").code).toBe(1);
    expect(drift(few, "--fail-on", "critical", "--fail-on-insufficient").code).toBe(1);
  });
});

describe("baseline", () => {
  it("a configured feature absent from the training data is an error naming it (exit 2)", {
    timeout: cliTimeout(1),
  }, () => {
    const data = csv("train-no-score.csv", ({ score: _s, ...rest }) => rest);
    const out = join(tmp, "p1.json");
    const r = infermon(["baseline", "-c", CFG, "-m", "credit", "--data", data, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('configured feature "score" is not in the data');
  });
  it("nested JSONL names every feature and shows the keys it has", { timeout: cliTimeout(1) }, () => {
    const data = at("train-nested.jsonl", '{"features": {"income": 1}}\n{"features": {"income": 2}}\n');
    const r = infermon(["baseline", "-c", CFG, "-m", "credit", "--data", data, "-o", join(tmp, "p2.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '"income", "age", "score", "region" are not in the data (its columns or keys: features)',
    );
  });
  it("a feature with no values warns (profile written, drift undefined), and fails with --strict", {
    timeout: cliTimeout(3),
  }, () => {
    // before: a silent profile with zero counts, and drift then reported JS ≈ 0.707 → critical
    const data = csv("train-empty-age.csv", (c) => ({ ...c, age: "" }));
    const out = join(tmp, "p3.json");
    const r = infermon(["baseline", "-c", CFG, "-m", "credit", "--data", data, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: feature "age": no values in');
    const strict = infermon([
      "baseline",
      "-c",
      CFG,
      "-m",
      "credit",
      "--data",
      data,
      "-o",
      join(tmp, "p4.json"),
      "--strict",
    ]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('feature "age": no values in');
    // drift against that profile: age null and missing, the gate not tripped by it
    const d = infermon([
      "drift",
      "-c",
      CFG,
      "-m",
      "credit",
      "--reference",
      out,
      "--current",
      TRAIN,
      "--fail-on",
      "warning",
    ]);
    expect(d.code, d.stdout).toBe(0);
    expect(feature(JSON.parse(d.stdout), "age")).toMatchObject({
      psi: null,
      js: null,
      status: "missing",
      reason: "no_reference_values",
    });
  });
});
