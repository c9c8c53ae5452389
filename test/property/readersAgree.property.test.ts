// CSV, TSV, JSONL and Parquet give the same profile and the same drift report for the same rows:
// random rows of mixed types (numbers, numeric text, text, unicode, booleans, objects, nulls, empty
// strings, NaN, overflowing and huge numbers) written in every format, with and without a byte
// order mark, read by the real engine (DuckDB, and the JSONL line reader it falls back to).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProfile } from "../../src/batch/baseline.js";
import { batchDrift } from "../../src/batch/batchDrift.js";
import { Engine } from "../../src/batch/duckdbEngine.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";

/** One cell, written per format as a user's file would hold it. */
type Cell =
  | { t: "num"; v: number }
  | { t: "numtext"; v: number }
  | { t: "text"; v: string }
  | { t: "bool"; v: boolean }
  | { t: "null" }
  | { t: "absent" }
  | { t: "empty" }
  | { t: "nan" }
  | { t: "overflow" }
  | { t: "object" };

const number = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e300, -1e300, 2 ** 64, 5e-324, -0),
);
const text = fc.oneof(
  fc.constantFrom(
    "abc",
    "NA",
    "N/A",
    "None",
    "null",
    "inf",
    "-Infinity",
    "0x1A",
    "1_000",
    "naïve",
    "中文",
    "😀",
    "a b",
  ),
  fc.stringMatching(/^[a-zé中😀]{1,4}$/u),
);
const common: fc.Arbitrary<Cell>[] = [
  number.map((v) => ({ t: "num", v }) as Cell),
  text.map((v) => ({ t: "text", v }) as Cell),
  fc.boolean().map((v) => ({ t: "bool", v }) as Cell),
  fc.constant({ t: "null" } as Cell),
  fc.constant({ t: "absent" } as Cell),
  fc.constant({ t: "empty" } as Cell),
];
// a category is text in CSV: nothing a CSV cannot say the same way (objects, overflowing or NaN
// numbers, a number's other spellings) goes into the categorical column
const numericCell = fc.oneof(
  { weight: 6, arbitrary: number.map((v) => ({ t: "num", v }) as Cell) },
  { weight: 1, arbitrary: fc.oneof(...common) },
  { weight: 1, arbitrary: number.map((v) => ({ t: "numtext", v }) as Cell) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Cell>({ t: "nan" }, { t: "overflow" }, { t: "object" }),
  },
);
const categoryCell = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "b", "c", "ü").map((v) => ({ t: "text", v }) as Cell) },
  { weight: 1, arbitrary: fc.oneof(...common) },
);
const row = fc.record({ x: numericCell, c: categoryCell, p: fc.double({ min: 0, max: 1, noNaN: true }) });
const rows = fc.array(row, { minLength: 1, maxLength: 40 });

const csvText = (c: Cell): string => {
  switch (c.t) {
    case "num":
    case "numtext":
      return String(c.v);
    case "text":
      return `"${c.v.replaceAll('"', '""')}"`;
    case "bool":
      return String(c.v);
    case "nan":
      return "NaN";
    case "overflow":
      return "1e309";
    case "object":
      return '"{""a"":1}"';
    default:
      return "";
  }
};
const jsonToken = (c: Cell): string | undefined => {
  switch (c.t) {
    case "num":
      return JSON.stringify(c.v);
    case "numtext":
      return JSON.stringify(String(c.v));
    case "text":
      return JSON.stringify(c.v);
    case "bool":
      return String(c.v);
    case "null":
      return "null";
    case "empty":
      return '""';
    case "nan":
      return '"NaN"';
    case "overflow":
      return "1e309";
    case "object":
      return '{"a":1}';
    default:
      return undefined;
  }
};
/** A Parquet column is typed: numbers when every cell is one (NaN, overflow → ±Infinity), else text. */
const parquetValue = (c: Cell, numeric: boolean): string => {
  if (c.t === "null" || c.t === "absent") return "NULL";
  if (numeric) {
    if (c.t === "nan") return "'NaN'::DOUBLE";
    if (c.t === "overflow") return "'Infinity'::DOUBLE";
    return `'${(c as { v: number }).v}'::DOUBLE`;
  }
  const s =
    c.t === "empty"
      ? ""
      : c.t === "object"
        ? '{"a":1}'
        : c.t === "nan"
          ? "NaN"
          : c.t === "overflow"
            ? "1e309"
            : String((c as { v: unknown }).v);
  return `'${s.replaceAll("'", "''")}'`;
};

const dir = mkdtempSync(join(tmpdir(), "infermon-readers-"));
let db: DuckDBInstance;
let engine: Engine;
let model: ModelConfig;
let n = 0;
beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:");
  engine = await Engine.open({ threads: 1 });
  model = parseConfig(`service: t
models:
  - name: m
    task: binary_classification
    features:
      - {name: x, type: numeric, bins: 4}
      - {name: c, type: categorical}
    prediction: {output: p}
`).models[0] as ModelConfig;
});
afterAll(() => {
  db.closeSync();
  engine.close();
});

type Row = { x: Cell; c: Cell; p: number };

async function writeAll(rs: Row[], bom: boolean): Promise<Record<string, string>> {
  const k = ++n;
  const b = bom ? "\ufeff" : "";
  const files: Record<string, string> = {};
  for (const [fmt, sep] of [
    ["csv", ","],
    ["tsv", "\t"],
  ] as const) {
    const cell = (c: Cell) =>
      sep === "\t"
        ? csvText(c)
            .replace(/^"(.*)"$/, "$1")
            .replaceAll('""', '"')
        : csvText(c);
    const lines = [
      ["x", "c", "p"].join(sep),
      ...rs.map((r) => [cell(r.x), cell(r.c), String(r.p)].join(sep)),
    ];
    files[fmt] = join(dir, `${k}.${fmt}`);
    writeFileSync(files[fmt] as string, `${b}${lines.join("\n")}\n`);
  }
  files.jsonl = join(dir, `${k}.jsonl`);
  writeFileSync(
    files.jsonl,
    b +
      rs
        .map((r, i) => {
          const parts = (["x", "c"] as const).flatMap((f) => {
            // a key that no line carries is an absent column (reported `absent`), which a CSV header
            // cannot say: the first line carries it as null, a missing value as an empty CSV cell is
            const t = i === 0 && rs.every((o) => o[f].t === "absent") ? "null" : jsonToken(r[f]);
            return t === undefined ? [] : [`"${f}":${t}`];
          });
          return `{${[...parts, `"p":${JSON.stringify(r.p)}`].join(",")}}`;
        })
        .join("\n") +
      "\n",
  );
  const numericX = rs.every((r) => ["num", "null", "absent", "nan", "overflow"].includes(r.x.t));
  const con = await db.connect();
  files.parquet = join(dir, `${k}.parquet`);
  const values = rs
    .map((r) => `(${parquetValue(r.x, numericX)}, ${parquetValue(r.c, false)}, '${r.p}'::DOUBLE)`)
    .join(", ");
  await con.run(`COPY (SELECT * FROM (VALUES ${values}) t(x, c, p)) TO '${files.parquet}' (FORMAT parquet)`);
  con.closeSync();
  return files;
}

describe("readers agree", () => {
  it("CSV, TSV, JSONL and Parquet give the same profile and report for the same random rows", async () => {
    const reference = join(dir, "reference.json");
    await fc.assert(
      fc.asyncProperty(rows, rows, fc.boolean(), async (ref, cur, bom) => {
        // a reference with values in every slot, so drift is defined
        const seed: Row[] = [0.5, 1.5, 2.5, 3.5].map((v, i) => ({
          x: { t: "num", v },
          c: { t: "text", v: ["a", "b", "c", "ü"][i] as string },
          p: v / 4,
        }));
        const refFiles = await writeAll([...seed, ...ref], bom);
        const curFiles = await writeAll(cur, bom);
        const profiles: Record<string, string> = {};
        for (const [fmt, f] of Object.entries(refFiles))
          profiles[fmt] = JSON.stringify((await buildProfile(model, f, { engine })).profile);
        writeFileSync(reference, profiles.csv as string);
        const reports: Record<string, string> = {};
        for (const [fmt, f] of Object.entries(curFiles))
          reports[fmt] = JSON.stringify(await batchDrift(model, reference, f, { engine }));
        for (const fmt of ["tsv", "jsonl", "parquet"]) {
          expect(profiles[fmt], `profile ${fmt}`).toBe(profiles.csv);
          expect(reports[fmt], `report ${fmt}`).toBe(reports.csv);
        }
        // a row count of every cell: nothing voided, nothing lost to a BOM
        const r = JSON.parse(reports.csv as string);
        expect(r.rows.current).toBe(cur.length);
      }),
      { numRuns: 40 },
    );
  }, 240_000);
});
