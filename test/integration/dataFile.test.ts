import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataFileError, forEachRow, type SkippedLine } from "../../src/batch/dataFile.js";
import type { Row } from "../../src/stats/profileBuilder.js";

const dir = mkdtempSync(join(tmpdir(), "infermon-data-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function collect(path: string, strict = false) {
  const rows: Row[] = [];
  const skipped: SkippedLine[] = [];
  await forEachRow(path, (r) => rows.push(r), { strict, onSkip: (s) => skipped.push(s) });
  return { rows, skipped };
}

describe("forEachRow", () => {
  it("reads CSV with a header, skipping malformed lines with their line numbers", async () => {
    const p = file("a.csv", "x,c\n1,a\n2\n3,b,extra\n4,d\n");
    const { rows, skipped } = await collect(p);
    expect(rows).toEqual([
      { x: "1", c: "a" },
      { x: "4", c: "d" },
    ]);
    expect(skipped.map((s) => s.line)).toEqual([3, 4]);
  });
  it("reads JSONL, skipping lines that are not JSON objects", async () => {
    const p = file("a.jsonl", '{"x":1}\n\nnot json\n[1,2]\n{"x":2,"c":null}\n{"x": 3');
    const { rows, skipped } = await collect(p);
    expect(rows).toEqual([{ x: 1 }, { x: 2, c: null }]);
    expect(skipped.map((s) => [s.line, s.reason.split(" (")[0]])).toEqual([
      [3, "not JSON"],
      [4, "not a JSON object"],
      [6, "not JSON"],
    ]);
  });
  it("stops at the first malformed line in strict mode", async () => {
    await expect(collect(file("s.jsonl", '{"x":1}\n{oops\n'), true)).rejects.toThrow(/s\.jsonl:2: not JSON/);
    await expect(collect(file("s.csv", "x,c\n1\n"), true)).rejects.toThrow(/s\.csv:2:/);
  });
  it("names a missing file and an unknown format", async () => {
    await expect(collect(join(dir, "missing.csv"))).rejects.toThrow(DataFileError);
    await expect(collect(file("x.parquet", ""))).rejects.toThrow(/unknown data format/);
  });
});
