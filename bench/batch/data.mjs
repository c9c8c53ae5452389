// Generates the batch benchmark's data once into bench/out/batch/: 1M reference + 1M current rows
// × 20 numeric + 2 categorical features, as CSV and Parquet, and the infermon config for it.
// Values come from hashes of (row, column), so the files are the same on every machine and
// whatever DuckDB's thread count. The current data drifts in a few features.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

export const DIR = new URL("../out/batch/", import.meta.url).pathname;
export const NUMERIC = 20;
export const CATEGORIES = [
  ["a", "b", "c", "d", "e", "f", "g", "h"],
  Array.from({ length: 30 }, (_, i) => `city_${String(i).padStart(2, "0")}`),
];

// uniform in (0,1) from a 64-bit hash of (row, column, salt)
const u = (col, salt) => `((hash(i, ${col}, ${salt}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`;
const normal = (col, salt) => `sqrt(-2 * ln(${u(col, salt)})) * cos(2 * pi() * ${u(col + 1000, salt)})`;

function selectSql(rows, salt, drifted) {
  const cols = [];
  for (let f = 0; f < NUMERIC; f++) {
    // features 0-4 drift in the current data (mean shift, wider spread); 1% missing in n0 and n1
    const shift = drifted && f < 5 ? 0.25 * (f + 1) : 0;
    const scale = drifted && f < 5 ? 1.2 : 1;
    let x = `round((${normal(f, salt)} * ${scale} + ${shift}) * ${f + 1} + ${10 * f}, 3)`;
    if (f < 2) x = `CASE WHEN ${u(f + 2000, salt)} < 0.01 THEN NULL ELSE ${x} END`;
    cols.push(`${x} AS n${f}`);
  }
  CATEGORIES.forEach((cats, c) => {
    const power = drifted && c === 0 ? 1.6 : 1.2;
    cols.push(
      `['${cats.join("','")}'][1 + floor(pow(${u(3000 + c, salt)}, ${power}) * ${cats.length})::INTEGER] AS c${c}`,
    );
  });
  return `SELECT ${cols.join(", ")} FROM range(${rows}) t(i)`;
}

export function configYaml() {
  const features = [
    ...Array.from({ length: NUMERIC }, (_, i) => `      - {name: n${i}, type: numeric}`),
    ...CATEGORIES.map((_, i) => `      - {name: c${i}, type: categorical}`),
  ];
  return `models:\n  - name: bench\n    task: regression\n    features:\n${features.join("\n")}\n`;
}

/** Paths of the generated files (generated when absent). */
export async function makeData(rows = 1_000_000) {
  mkdirSync(DIR, { recursive: true });
  const files = {
    cfg: `${DIR}bench.yaml`,
    refCsv: `${DIR}reference-${rows}.csv`,
    curCsv: `${DIR}current-${rows}.csv`,
    refParquet: `${DIR}reference-${rows}.parquet`,
    curParquet: `${DIR}current-${rows}.parquet`,
  };
  writeFileSync(files.cfg, configYaml());
  if (Object.values(files).every((f) => existsSync(f))) return files;
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  for (const [name, salt, drifted] of [
    ["reference", 1, false],
    ["current", 2, true],
  ]) {
    await con.run(`CREATE OR REPLACE TABLE t AS ${selectSql(rows, salt, drifted)}`);
    for (const [ext, opts] of [
      ["csv", "(HEADER, DELIMITER ',')"],
      ["parquet", "(FORMAT parquet, COMPRESSION zstd)"],
    ]) {
      const file = `${DIR}${name}-${rows}.${ext}`;
      await con.run(`COPY (SELECT * FROM t ORDER BY rowid) TO '${file}.tmp' ${opts}`);
      renameSync(`${file}.tmp`, file);
    }
  }
  con.closeSync();
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  console.log(JSON.stringify(await makeData(Number(process.argv[2] ?? 1_000_000)), null, 2));
  console.error(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
