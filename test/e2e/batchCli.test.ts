// The batch commands on the DuckDB path through the built CLI: Parquet in, profile merge, and bad
// input ending in exit 2 with one clear line (never a stack trace).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/stats/driftReport.js";
import { cliTimeout, creditDriftArgs, infermon } from "../helpers/cli.js";

const CFG = "examples/infermon.yaml";
const TRAIN = "examples/data/credit-train.csv";
const tmp = mkdtempSync(join(tmpdir(), "infermon-batchcli-"));
const at = (name: string) => join(tmp, name);

beforeAll(async () => {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  // the training data as Parquet, and as two halves
  await con.run(`COPY (SELECT * FROM read_csv('${TRAIN}')) TO '${at("train.parquet")}' (FORMAT parquet)`);
  await con.run(
    `COPY (SELECT * FROM read_csv('${TRAIN}') LIMIT 2500) TO '${at("half-1.parquet")}' (FORMAT parquet)`,
  );
  await con.run(
    `COPY (SELECT * FROM read_csv('${TRAIN}') OFFSET 2500) TO '${at("half-2.parquet")}' (FORMAT parquet)`,
  );
  await con.run(
    `COPY (SELECT * EXCLUDE (age) FROM read_csv('${TRAIN}')) TO '${at("no-age.parquet")}' (FORMAT parquet)`,
  );
  con.closeSync();
  db.closeSync();
  writeFileSync(at("corrupt.parquet"), "PAR1 not really");
});

const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe("batch commands on Parquet", () => {
  it("baseline from Parquet writes the profile CSV gives", { timeout: cliTimeout(1) }, () => {
    const r = infermon([
      "baseline",
      "-c",
      CFG,
      "-m",
      "credit",
      "--data",
      at("train.parquet"),
      "-o",
      at("p.json"),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(at("p.json"), "utf8")).toBe(readFileSync("examples/reference/credit.json", "utf8"));
  });
  it("drift reads a glob of Parquet files", { timeout: cliTimeout(1) }, () => {
    const r = infermon([
      "drift",
      "-c",
      CFG,
      "-m",
      "credit",
      "--reference",
      "examples/reference/credit.json",
      "--current",
      at("half-*.parquet"),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as DriftReport).rows.current).toBe(5000);
  });
  it("profile merge adds profiles counted into the same bins (baseline --bins-from)", {
    timeout: cliTimeout(3),
  }, () => {
    const seed = "examples/reference/credit.json";
    for (const h of ["1", "2"]) {
      const r = infermon([
        "baseline",
        "-c",
        CFG,
        "-m",
        "credit",
        "--data",
        at(`half-${h}.parquet`),
        "--bins-from",
        seed,
        "-o",
        at(`h${h}.json`),
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const m = infermon(["profile", "merge", at("h1.json"), at("h2.json"), "-o", at("merged.json")]);
    expect(m.code, m.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(at("merged.json"), "utf8"));
    const whole = JSON.parse(readFileSync(seed, "utf8"));
    expect(merged.rows).toBe(5000);
    expect(merged.features.map((f: { counts: number[] }) => f.counts)).toEqual(
      whole.features.map((f: { counts: number[] }) => f.counts),
    );
    // the classes' score bins and their calibration add up too
    expect(merged.scores).toEqual(whole.scores);
  });
});

describe("bad input: exit 2, one clear line naming the file", () => {
  const drift = (current: string) => infermon(creditDriftArgs(current));
  it("a glob matching nothing", { timeout: cliTimeout(1) }, () => {
    const r = drift(at("nope-*.parquet"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope-*.parquet: no file matches");
    noTrace(r.stderr);
  });
  it("a corrupt Parquet file", { timeout: cliTimeout(1) }, () => {
    const r = drift(at("corrupt.parquet"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/corrupt\.parquet/);
    noTrace(r.stderr);
  });
  it("a Parquet file without a configured column: baseline fails naming file and column", {
    timeout: cliTimeout(1),
  }, () => {
    const r = infermon([
      "baseline",
      "-c",
      CFG,
      "-m",
      "credit",
      "--data",
      at("no-age.parquet"),
      "-o",
      at("x.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-age.parquet: configured feature "age" is not in the data');
    noTrace(r.stderr);
  });
  it("profile merge of profiles with different bins", { timeout: cliTimeout(1) }, () => {
    const r = infermon([
      "profile",
      "merge",
      "examples/reference/credit.json",
      "examples/reference/house-price.json",
      "-o",
      at("y.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is for model "house-price"');
    noTrace(r.stderr);
  });
});
