// The batch data path on DuckDB (issue #12): CSV dialects, Parquet, JSONL, globs, exact edges
// past the small-data buffer, profile merge, and bad input. Small files written per test; the
// engine is the real one (@duckdb/node-api).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProfile } from "../../src/batch/baseline.js";
import { batchDrift } from "../../src/batch/batchDrift.js";
import { countIntoProfile } from "../../src/batch/countInto.js";
import type { SkippedLine } from "../../src/batch/dataFile.js";
import { DataFileError } from "../../src/batch/dataFile.js";
import { findModel, loadConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";
import type { ProfileSlot } from "../../src/stats/profile.js";
import { mergeProfiles } from "../../src/stats/profileMerge.js";
import { quantileEdges } from "../../src/stats/quantiles.js";

const dir = mkdtempSync(join(tmpdir(), "infermon-engine-"));
const at = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cfg = at(
  "infermon.yaml",
  `models:
  - name: m
    task: regression
    features:
      - {name: x, type: numeric, bins: 4, max_distinct_values: 0}
      - {name: c, type: categorical}
    prediction: false  # these files have no prediction column: the tests are about the readers
`,
);
let model: ModelConfig;
let db: DuckDBInstance;
/** Write `sql`'s rows as Parquet with DuckDB itself. */
async function parquet(name: string, sql: string): Promise<string> {
  const p = join(dir, name);
  const con = await db.connect();
  await con.run(`COPY (${sql}) TO '${p}' (FORMAT parquet)`);
  con.closeSync();
  return p;
}
const slot = (f: ProfileSlot[], name: string) => f.find((s) => s.name === name) as ProfileSlot;

beforeAll(async () => {
  model = findModel(loadConfig(cfg), "m");
  db = await DuckDBInstance.create(":memory:");
});
afterAll(() => db.closeSync());

const ROWS = Array.from({ length: 40 }, (_, i) => ({
  x: (i * 7) % 40,
  c: ["a", "b,c", 'say "hi"'][i % 3] as string,
}));
const csvText = (eol: string) =>
  `x,c${eol}${ROWS.map((r) => `${r.x},"${r.c.replaceAll('"', '""')}"`).join(eol)}${eol}`;

describe("reading", () => {
  it("reads CSV with a BOM, CRLF and quoted fields the same as LF CSV, JSONL and Parquet", async () => {
    const lf = (await buildProfile(model, at("lf.csv", csvText("\n")))).profile;
    const crlf = (await buildProfile(model, at("crlf.csv", `\ufeff${csvText("\r\n")}`))).profile;
    const jsonl = (await buildProfile(model, at("a.jsonl", ROWS.map((r) => JSON.stringify(r)).join("\n"))))
      .profile;
    const values = ROWS.map((r) => `(${r.x}, '${r.c.replaceAll("'", "''")}')`).join(", ");
    const pq = (
      await buildProfile(model, await parquet("a.parquet", `SELECT * FROM (VALUES ${values}) t(x, c)`))
    ).profile;
    expect(slot(lf.features, "c")).toMatchObject({ categories: ["a", "b,c", 'say "hi"'] });
    expect(crlf).toEqual(lf);
    expect(jsonl).toEqual(lf);
    expect(pq).toEqual(lf);
  });

  it("skips malformed CSV lines with their line numbers, or stops at the first with --strict", async () => {
    const p = at("messy.csv", "x,c\n1,a\n2\n3,b,extra\n4,d\n");
    const skipped: SkippedLine[] = [];
    const r = await buildProfile(model, p, { onSkip: (s) => skipped.push(s) });
    expect(r.profile.rows).toBe(2);
    expect(r.skipped).toBe(2);
    expect(skipped.map((s) => s.line)).toEqual([3, 4]);
    await expect(buildProfile(model, p, { strict: true })).rejects.toThrow(/messy\.csv:3: /);
  });

  it("reports malformed JSONL lines (read line by line) and still counts the rest", async () => {
    const p = at("messy.jsonl", '{"x":1,"c":"a"}\nnot json\n{"x":2,"c":"b"}\n');
    const skipped: SkippedLine[] = [];
    const r = await buildProfile(model, p, { onSkip: (s) => skipped.push(s) });
    expect(r.profile.rows).toBe(2);
    expect(skipped.map((s) => s.line)).toEqual([2]);
  });

  it("reads a glob of files as one data set, and --format-in overrides the extension", async () => {
    const half = csvText("\n").trim().split("\n");
    at("part-1.csv", `${half.slice(0, 21).join("\n")}\n`);
    at("part-2.csv", `${[half[0], ...half.slice(21)].join("\n")}\n`);
    const whole = (await buildProfile(model, at("whole.csv", csvText("\n")))).profile;
    expect((await buildProfile(model, join(dir, "part-*.csv"))).profile).toEqual(whole);
    const odd = at("data.txt", csvText("\n"));
    expect((await buildProfile(model, odd, { formatIn: "csv" })).profile).toEqual(whole);
  });

  it("counts strings in a numeric Parquet column as invalid, NULLs as missing", async () => {
    const p = await parquet(
      "strings.parquet",
      "SELECT * FROM (VALUES ('1.5', 'a'), ('abc', 'a'), (NULL, 'b'), ('NA', 'b'), ('2', 'a'), ('inf', 'a')) t(x, c)",
    );
    const r = await batchDrift(model, at("ref.csv", csvText("\n")), p);
    const x = r.features.find((f) => f.name === "x");
    expect(x).toMatchObject({ missing: 2, invalid: 2 });
  });
});

describe("exact quantile edges", () => {
  it("are exact past the in-memory buffer (several passes), and a sample only when asked", async () => {
    const n = 70_000; // more finite values than pass one keeps
    const xs = Array.from(
      { length: n },
      (_, i) => Math.round(Math.sin(i * 12.9898) * 43758.5453 * 1000) / 1000,
    );
    const p = at("big.csv", `x,c\n${xs.map((x, i) => `${x},${i % 5}`).join("\n")}\n`);
    const exact = (await buildProfile(model, p)).profile;
    expect(exact.edges_from).toEqual({ method: "exact" });
    expect(slot(exact.features, "x")).toMatchObject({ layout: "quantiles", edges: quantileEdges(xs, 4) });
    const sampled = (await buildProfile(model, p, { sample: 1000 })).profile;
    expect(sampled.edges_from).toEqual({ method: "sample", size: 1000 });
    expect((slot(sampled.features, "x") as { edges: number[] }).edges).not.toEqual(quantileEdges(xs, 4));
  });
});

describe("profile merge", () => {
  it("adds up profiles counted into the same bins: the profile of the whole", async () => {
    const whole = at("m-whole.csv", csvText("\n"));
    const seed = (await buildProfile(model, whole)).profile;
    const lines = csvText("\n").trim().split("\n");
    const a = at("m-a.csv", `${lines.slice(0, 15).join("\n")}\n`);
    const b = at("m-b.csv", `${[lines[0], ...lines.slice(15)].join("\n")}\n`);
    const pa = (await countIntoProfile(model, seed, a)).profile;
    const pb = (await countIntoProfile(model, seed, b)).profile;
    const merged = mergeProfiles([pa, pb]);
    const all = (await countIntoProfile(model, seed, whole)).profile;
    expect(merged).toEqual(all);
    expect(merged.features.map((f) => f.counts)).toEqual(seed.features.map((f) => f.counts));
  });
  it("drops learned thresholds: they belong to one profile's counts, not the sum or a recount", async () => {
    const whole = at("t-whole.csv", csvText("\n"));
    const built = (await buildProfile(model, whole)).profile;
    const thresholds = {
      method: "bootstrap",
      expected_rate: 1,
      resamples: 100,
      percentiles: { warning: 0.99, critical: 0.999 },
      smoothing: { method: "laplace", alpha: 0.5 },
      windows: {},
    } as unknown as NonNullable<typeof built.thresholds>;
    const seed = { ...built, thresholds };
    const counted = (await countIntoProfile(model, seed, whole)).profile;
    expect(counted.thresholds).toBeUndefined();
    expect(mergeProfiles([seed, seed]).thresholds).toBeUndefined();
    // one profile is passed through as it is
    expect(mergeProfiles([seed]).thresholds).toEqual(thresholds);
  });
  it("refuses profiles with different bins, naming the feature", async () => {
    const p1 = (await buildProfile(model, at("d1.csv", "x,c\n1,a\n2,a\n3,b\n4,b\n"))).profile;
    const p2 = (await buildProfile(model, at("d2.csv", "x,c\n10,a\n20,a\n30,b\n40,b\n"))).profile;
    expect(() => mergeProfiles([p1, p2])).toThrow(/feature "x": the profiles have different bins/);
  });
});

describe("bad input: a clear error naming the file (and column)", () => {
  it("a glob that matches nothing", async () => {
    await expect(buildProfile(model, join(dir, "nothing-*.parquet"))).rejects.toThrow(
      /nothing-\*\.parquet: no file matches/,
    );
  });
  it("a Parquet file without a configured column", async () => {
    const p = await parquet("no-c.parquet", "SELECT 1.5 AS x");
    const err = await buildProfile(model, p).catch((e) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toMatch(/no-c\.parquet: configured feature "c" is not in the data/);
  });
  it("a glob where one file lacks the column names that file", async () => {
    await parquet("g-1.parquet", "SELECT 1.5 AS x, 'a' AS c");
    await parquet("g-2.parquet", "SELECT 2.5 AS x");
    await expect(buildProfile(model, join(dir, "g-*.parquet"))).rejects.toThrow(
      /g-2\.parquet: configured feature "c"/,
    );
  });
  it("corrupt and truncated Parquet files", async () => {
    const good = readFileSync(
      await parquet("good.parquet", "SELECT range::DOUBLE AS x, 'a' AS c FROM range(1000)"),
    );
    const corrupt = at("corrupt.parquet", Buffer.from("PAR1 this is not parquet at all"));
    const truncated = at("truncated.parquet", good.subarray(0, Math.floor(good.length / 2)));
    for (const p of [corrupt, truncated]) {
      const err = await buildProfile(model, p).catch((e) => e);
      expect(err).toBeInstanceOf(DataFileError);
      expect(err.message).toContain(p.split("/").at(-1));
    }
  });
});
