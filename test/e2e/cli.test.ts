import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/stats/driftReport.js";
import { cliTimeout, creditDriftArgs, infermon } from "../helpers/cli.js";

const CFG = "examples/infermon.yaml";
const TRAIN = "examples/data/credit-train.csv";
const tmp = mkdtempSync(join(tmpdir(), "infermon-cli-"));
const at = (name: string, text?: string) => {
  const p = join(tmp, name);
  if (text !== undefined) writeFileSync(p, text);
  return p;
};

describe("infermon (CLI)", () => {
  it("prints help and version", { timeout: cliTimeout(3) }, () => {
    const help = infermon(["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of ["validate", "baseline", "drift"]) expect(help.stdout).toContain(cmd);
    expect(infermon(["drift", "--help"]).stdout).toContain("--fail-on");
    expect(infermon(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 on unknown commands and missing options", { timeout: cliTimeout(2) }, () => {
    expect(infermon(["nope"]).code).toBe(2);
    const r = infermon(["drift", "-c", CFG]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option/);
  });

  describe("validate", () => {
    it("accepts the example", { timeout: cliTimeout(1) }, () => {
      const r = infermon(["validate", "-c", CFG]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("ok (2 models, 7 features)");
    });
    it("exits 2 naming each bad key", { timeout: cliTimeout(1) }, () => {
      const bad = at(
        "bad.yaml",
        "models:\n  - name: m\n    task: regression\n    windows: [5 minutes]\n    features: [{name: a, type: numeric, edges: [2, 1]}]\n    extra: 1\n",
      );
      const r = infermon(["validate", "-c", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("models[0].windows[0]: must be a duration");
      expect(r.stderr).toContain("models[0].features[0].edges: must be increasing");
      expect(r.stderr).toContain("models[0].extra: unknown key");
    });
    it("exits 2 for a regression correctness SLO without labels.tolerance", {
      timeout: cliTimeout(1),
    }, () => {
      const bad = at(
        "no-tolerance.yaml",
        "models:\n  - name: m\n    task: regression\n    slo: {correctness: {objective: 95}}\n",
      );
      const r = infermon(["validate", "-c", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        "models[0].labels.tolerance: required for a regression model with slo.correctness",
      );
    });
  });

  describe("baseline", () => {
    it("writes a profile with a schema version, bins and the prediction", { timeout: cliTimeout(1) }, () => {
      const out = at("credit.json");
      const r = infermon(["baseline", "-c", CFG, "-m", "credit", "--data", TRAIN, "-o", out]);
      expect(r.code, r.stderr).toBe(0);
      const p = JSON.parse(readFileSync(out, "utf8"));
      expect(p.schema).toBe("infermon.profile");
      expect(p.schema_version).toBe(2);
      expect(p.rows).toBe(5000);
      expect(p.features.map((f: { name: string }) => f.name)).toEqual(["income", "age", "score", "region"]);
      expect(p.features[2].edges).toEqual([300, 580, 670, 740, 800]);
      expect(p.prediction.name).toBe("probability");
      // deterministic: the committed example profile is what baseline writes
      expect(readFileSync(out, "utf8")).toBe(readFileSync("examples/reference/credit.json", "utf8"));
    });
    it("exits 2 for an unknown model and an empty file", { timeout: cliTimeout(2) }, () => {
      expect(
        infermon(["baseline", "-c", CFG, "-m", "nope", "--data", TRAIN, "-o", at("x.json")]).stderr,
      ).toContain('no model named "nope"');
      const empty = at("empty.csv", "income,age,score,region,probability,label\n");
      const r = infermon(["baseline", "-c", CFG, "-m", "credit", "--data", empty, "-o", at("y.json")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no data rows");
    });
  });

  describe("drift", () => {
    const args = creditDriftArgs;
    let drifted: DriftReport;
    beforeAll(() => {
      const r = infermon(args("examples/data/credit-current-drifted.csv"));
      expect(r.code, r.stderr).toBe(0);
      drifted = JSON.parse(r.stdout);
    });

    it("prints the documented JSON shape", () => {
      // the example model has labels.target: the file's targets give its quality (issue #20)
      expect(Object.keys(drifted)).toEqual(["model", "rows", "features", "prediction", "status", "quality"]);
      expect(drifted.rows).toEqual({ reference: 5000, current: 1000, skipped: 0 });
      const income = drifted.features.find((f) => f.name === "income")!;
      expect(Object.keys(income)).toEqual([
        "name",
        "type",
        "psi",
        "kl",
        "js",
        "stderr",
        "status",
        "set_by",
        "levels",
        "missing",
        "invalid",
        "bins",
      ]);
      // the statistic and level that set the status, and the levels in force (issue #17)
      expect(income).toMatchObject({
        set_by: { statistic: "js", level: "critical" },
        levels: { statistic: "js", source: "learned", n: 989 },
      });
      expect(income.bins[0]!.bin).toMatch(/^\[-inf,/);
      const sum = (k: "reference" | "current") => income.bins.reduce((a, b) => a + b[k], 0);
      expect(sum("reference")).toBeCloseTo(1, 12);
      expect(sum("current")).toBeCloseTo(1, 12);
      const region = drifted.features.find((f) => f.name === "region")!;
      expect(region.unseen).toBeGreaterThan(100); // "islands" never appears in training
      expect(region.bins.at(-1)!.bin).toBe("__other__");
      expect(drifted.prediction).toHaveProperty("psi");
      expect(drifted.status).toBe("critical");
    });

    it("gives the same numbers with a data file as reference", { timeout: cliTimeout(1) }, () => {
      const r = infermon([
        "drift",
        "-c",
        CFG,
        "-m",
        "credit",
        "--reference",
        TRAIN,
        "--current",
        "examples/data/credit-current-drifted.csv",
      ]);
      expect(JSON.parse(r.stdout).features).toEqual(drifted.features);
    });

    it("exits 1 when --fail-on is reached, 0 otherwise", { timeout: cliTimeout(3) }, () => {
      expect(infermon(args("examples/data/credit-current-drifted.csv", "--fail-on", "critical")).code).toBe(
        1,
      );
      expect(infermon(args("examples/data/credit-current-ok.csv", "--fail-on", "warning")).code).toBe(0);
      expect(infermon(args("examples/data/credit-current-ok.csv", "--fail-on", "bogus")).code).toBe(2);
    });

    it("prints an aligned table sorted by PSI with drifted features marked", {
      timeout: cliTimeout(1),
    }, () => {
      const r = infermon(args("examples/data/credit-current-drifted.csv", "--format", "table"));
      const lines = r.stdout.split("\n");
      const header = lines.findIndex((l) => l.startsWith("feature"));
      const rows = lines.slice(header + 2, header + 6);
      const psis = rows.map((l) => Number(l.split(/\s+/)[2]));
      expect([...psis].sort((a, b) => b - a)).toEqual(psis);
      expect(rows.every((l) => l.includes("CRITICAL"))).toBe(true);
      // numbers are right-aligned under their header
      const psiEnd = lines[header]!.indexOf("psi") + 3;
      for (const l of rows) expect(l.slice(psiEnd - 6, psiEnd)).toMatch(/^\d\.\d{4}$/);
      expect(lines.at(-2)).toMatch(/^status: critical/);
    });

    it("counts malformed lines in rows.skipped, missing and invalid values per feature", {
      timeout: cliTimeout(2),
    }, () => {
      const cur = at(
        "messy.csv",
        "income,age,score,region,probability\n50000,40,700,north,0.2\nbroken line\n,41,abc,,0.3\nNaN,42,650,east,0.1\n",
      );
      const r = infermon(args(cur));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("messy.csv:3: skipped");
      const rep: DriftReport = JSON.parse(r.stdout);
      expect(rep.rows).toEqual({ reference: 5000, current: 3, skipped: 1 });
      const f = Object.fromEntries(rep.features.map((x) => [x.name, x]));
      // "NaN" is a non-finite number: invalid, not missing (ADR 0009)
      expect(f.income).toMatchObject({ missing: 1, invalid: 1 });
      expect(f.score).toMatchObject({ missing: 0, invalid: 1 });
      expect(f.region).toMatchObject({ missing: 1 });
      expect(infermon(args(cur, "--strict")).code).toBe(2);
    });

    it("exits 2 on an empty current file", { timeout: cliTimeout(1) }, () => {
      const r = infermon(args(at("empty2.csv", "income,age\n")));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no data rows");
    });

    it("exits 2 on a profile from another schema version", { timeout: cliTimeout(1) }, () => {
      const old = JSON.parse(readFileSync("examples/reference/credit.json", "utf8"));
      old.schema_version = 0;
      const f = at("old.json", JSON.stringify(old));
      const r = infermon(["drift", "-c", CFG, "-m", "credit", "--reference", f, "--current", TRAIN]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("schema_version 0 is not supported");
    });

    it("exits 2 on a profile of another model and on a missing reference", { timeout: cliTimeout(2) }, () => {
      const r = infermon([
        "drift",
        "-c",
        CFG,
        "-m",
        "house-price",
        "--reference",
        "examples/reference/credit.json",
        "--current",
        TRAIN,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('profile is for model "credit", not "house-price"');
      const m = infermon([
        "drift",
        "-c",
        CFG,
        "-m",
        "credit",
        "--reference",
        at("nothing.csv"),
        "--current",
        TRAIN,
      ]);
      expect(m.code).toBe(2);
      expect(m.stderr).toMatch(/nothing\.csv: cannot read \(ENOENT\)/);
    });

    it("reads JSONL and omits the prediction when the current data lacks it", {
      timeout: cliTimeout(1),
    }, () => {
      const cur = at(
        "nopred.jsonl",
        '{"sqft": 1500, "rooms": 3, "city": "porto"}\n{"sqft": 900, "rooms": 1, "city": "faro"}\n',
      );
      const r = infermon([
        "drift",
        "-c",
        CFG,
        "-m",
        "house-price",
        "--reference",
        "examples/reference/house-price.json",
        "--current",
        cur,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout);
      expect(rep.prediction).toBeUndefined();
      expect(rep.features).toHaveLength(3);
    });
  });
});
