// The batch engine: DuckDB reads CSV, Parquet and JSONL (a path, a glob or an object-store URL)
// and hands column batches to the pure counting in src/stats/ (docs/adr/0007-batch-engine.md).
// Only `baseline`, `drift` and `profile` load it, through a dynamic import: the agent never maps
// DuckDB (test/e2e/lazyDuckdb.test.ts).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBVector } from "@duckdb/node-api";
import type { ColumnBatch } from "../stats/columnBatch.js";
import { DataFileError, type SkippedLine } from "./dataFile.js";
import { BatchEngineMissingError } from "./engineMissing.js";
import { type InputFormat, isPattern } from "./inputFormat.js";

export interface EngineOptions {
  /** DuckDB's memory_limit (it spills to a temporary directory beyond it) */
  memoryLimit?: string;
  threads?: number;
}

export const DEFAULT_MEMORY_LIMIT = "512MB";

/** A field the scan reads: numeric features are parsed by the engine, other fields come raw. */
export interface Field {
  name: string;
  numeric: boolean;
  /** a list of numbers (a multiclass model's probabilities) comes as an array, not as invalid */
  list?: boolean;
}

export interface ScanOptions {
  /** malformed CSV lines: reported here (first pass only), or fatal when strict */
  onSkip?: (s: SkippedLine) => void;
  strict?: boolean;
  /** fraction of the scan done, 0..1 */
  onProgress?: (fraction: number) => void;
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

const NESTED_TYPES = /^(STRUCT|MAP|UNION|JSON)|\[\d*\]$/;

const q = (id: string): string => `"${id.replaceAll('"', '""')}"`;
const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** First line of a DuckDB error, without its "LINE 1: …" query excerpt. */
function reason(err: unknown): string {
  const m = (err as Error)?.message ?? String(err);
  return m.split("\n")[0]?.trim() ?? m;
}

/** JSONL with lines that are not JSON objects: the caller reads it line by line instead. */
export class MalformedJsonl extends DataFileError {}

export class Engine {
  private scans = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly tempDir: string,
  ) {}

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const { DuckDBInstance } = await loadDuckdb();
    const tempDir = mkdtempSync(join(tmpdir(), "infermon-duckdb-"));
    const config: Record<string, string> = {
      memory_limit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: tempDir,
      preserve_insertion_order: "false",
    };
    if (opts.threads !== undefined) config.threads = String(opts.threads);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(":memory:", config);
    } catch (err) {
      rmSync(tempDir, { recursive: true, force: true });
      throw new DataFileError(`batch engine: ${reason(err)}`);
    }
    const con = await instance.connect();
    // progress is tracked for query_progress (the TTY bar), never printed by DuckDB
    await con.run("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
    return new Engine(instance, con, tempDir);
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /**
   * Open a data path (file, glob or URL) for scanning; errors name the path. `wanted`: the fields
   * the caller reads; for JSONL a key outside DuckDB's type sample (the first ~20,000 lines) is
   * looked for in the whole file before it is called absent.
   */
  async source(path: string, format: InputFormat, wanted: readonly string[] = []): Promise<Source> {
    const files = await this.listFiles(path);
    const columns = new Map<string, { column: string; type: string }>();
    const absent = new Map<string, string[]>();
    // each file's own columns, so an error can name the file that lacks one
    const perFile: Map<string, string>[] = [];
    for (const f of files) {
      const described = await this.describe(readSql(format, [f], false, undefined), f, format);
      if (format === "jsonl") {
        // JSONL keys are read as JSON values whatever their sampled type (one "abc" in a numeric
        // key is one invalid value, never a failed cast or a voided column)
        for (const k of described.keys()) described.set(k, "JSON");
        const late = wanted.filter((w) => ![...described.keys()].some((k) => k.trim() === w));
        if (late.length > 0) for (const k of await this.presentKeys(f, late)) described.set(k, "JSON");
      }
      perFile.push(described);
      for (const [name, type] of described) {
        const prev = columns.get(name.trim());
        columns.set(name.trim(), { column: name, type: prev && prev.type !== type ? "VARCHAR" : type });
      }
    }
    for (const name of columns.keys()) {
      const missingIn = files.filter(
        (_, i) => ![...(perFile[i] as Map<string, string>).keys()].some((c) => c.trim() === name),
      );
      if (missingIn.length > 0) absent.set(name, missingIn);
    }
    // files with the same header are read as one; others by column name (DuckDB then cannot set
    // malformed CSV lines aside with their line numbers: they are skipped uncounted)
    const first = JSON.stringify([...(perFile[0] ?? new Map()).keys()]);
    const union = perFile.some((m) => JSON.stringify([...m.keys()]) !== first);
    return new Source(this, path, format, files, columns, absent, union);
  }

  /** The files a path names: itself, or a glob's matches (none is an error). */
  async listFiles(path: string): Promise<string[]> {
    if (!isPattern(path)) {
      try {
        if (!statSync(path).isFile()) throw new DataFileError(`${path}: not a file`);
      } catch (err) {
        if (err instanceof DataFileError) throw err;
        throw new DataFileError(
          `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? reason(err)})`,
        );
      }
      return [path];
    }
    let rows: string[];
    try {
      const r = await this.con.runAndReadAll(`SELECT file FROM glob(${lit(path)}) ORDER BY file`);
      rows = r.getRows().map((row) => String(row[0]));
    } catch (err) {
      throw new DataFileError(`${path}: ${reason(err)}`);
    }
    if (rows.length === 0) throw new DataFileError(`${path}: no file matches`);
    return rows;
  }

  /** Which of `keys` some line of JSONL file `f` has (a full scan; only for keys the sample missed). */
  private async presentKeys(f: string, keys: readonly string[]): Promise<string[]> {
    const counts = keys.map((k) => `count(${q(k)})`).join(", ");
    try {
      const r = await this.con.runAndReadAll(
        `SELECT ${counts} FROM ${readSql("jsonl", [f], false, undefined, keys)}`,
      );
      const row = r.getRows()[0] ?? [];
      return keys.filter((_, i) => Number(row[i]) > 0);
    } catch (err) {
      if (/json/i.test(reason(err))) throw new MalformedJsonl(`${f}: ${reason(err)}`);
      throw new DataFileError(`${f}: ${reason(err)}`);
    }
  }

  private async describe(sql: string, file: string, format: InputFormat): Promise<Map<string, string>> {
    try {
      const r = await this.con.runAndReadAll(`DESCRIBE SELECT * FROM ${sql}`);
      return new Map(r.getRows().map((row) => [String(row[0]), String(row[1])]));
    } catch (err) {
      if (format === "jsonl" && /json/i.test(reason(err)))
        throw new MalformedJsonl(`${file}: ${reason(err)}`);
      throw new DataFileError(`${file}: ${reason(err)}`);
    }
  }

  async stage(
    source: Source,
    fields: readonly Field[],
    opts: ScanOptions = {},
  ): Promise<{ source: Source; skipped: number }> {
    const n = ++this.scans;
    const rejects =
      !source.union && (source.format === "csv" || source.format === "tsv")
        ? { table: `rej${n}`, scan: `rejscan${n}` }
        : undefined;
    const out = join(this.tempDir, `stage-${n}.parquet`);
    // each field's plan is evaluated once, its parts written as columns d<i>, s<i>, z<i>, l<i>
    const plans = fields.map((f) => columnPlan(f, source.columns.get(f.name), source.staged(f.name)));
    const select = plans.flatMap((p, i) => p.select(i));
    const staged = new Map<string, StagedField>();
    plans.forEach((p, i) => {
      if (p.parts.length > 0) staged.set((fields[i] as Field).name, { parts: p.parts, index: i });
    });
    const timer =
      opts.onProgress &&
      setInterval(() => {
        const p = this.con.progress.percentage;
        if (p >= 0) opts.onProgress?.(p / 100);
      }, 250);
    try {
      await this.con.run(
        `COPY (SELECT ${select.length > 0 ? select.join(", ") : "1 AS one"} FROM ${readSql(source.format, source.files, source.union, rejects, jsonKeys(source, fields))}) TO ${lit(out)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 65536)`,
      );
    } catch (err) {
      if (source.format === "jsonl" && /json/i.test(reason(err)))
        throw new MalformedJsonl(`${source.path}: ${reason(err)}`);
      throw new DataFileError(`${source.path}: ${reason(err)}`);
    } finally {
      if (timer) clearInterval(timer);
    }
    const skipped = rejects ? await this.rejected(rejects, opts) : 0;
    return {
      source: new Source(
        this,
        source.path,
        "parquet",
        [out],
        source.columns,
        new Map(),
        false,
        staged,
        source,
      ),
      skipped,
    };
  }

  /** Stream `fields` of `source` in batches; resolves with the number of malformed lines skipped. */
  async scan(
    source: Source,
    fields: readonly Field[],
    onBatch: (b: ColumnBatch) => void,
    opts: ScanOptions = {},
  ): Promise<number> {
    const n = ++this.scans;
    const rejects =
      !source.union && (source.format === "csv" || source.format === "tsv")
        ? { table: `rej${n}`, scan: `rejscan${n}` }
        : undefined;
    const plan = fields.map((f) => columnPlan(f, source.columns.get(f.name), source.staged(f.name)));
    const select = plan.flatMap((p, i) => p.select(i));
    const sql = `SELECT ${select.length > 0 ? select.join(", ") : "1 AS one"} FROM ${readSql(source.format, source.files, source.union, rejects, jsonKeys(source, fields))}`;
    let last = 0;
    try {
      const result = await this.con.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        onBatch({ rows: chunk.rowCount, columns: decode(chunk, plan) });
        if (opts.onProgress) {
          const now = Date.now();
          if (now - last > 200) {
            last = now;
            const p = this.con.progress.percentage;
            if (p >= 0) opts.onProgress(p / 100);
          }
        }
      }
    } catch (err) {
      if (err instanceof DataFileError) throw err;
      if (source.format === "jsonl" && /malformed json|json/i.test(reason(err)))
        throw new MalformedJsonl(`${source.path}: ${reason(err)}`);
      throw new DataFileError(`${source.path}: ${reason(err)}`);
    }
    return rejects ? this.rejected(rejects, opts) : 0;
  }

  /** The lines a CSV scan set aside: reported, or the first one fatal when strict. */
  private async rejected(rejects: { table: string; scan: string }, opts: ScanOptions): Promise<number> {
    const r = await this.con.runAndReadAll(
      // one line can break several columns: one entry per line, with its first error
      `SELECT s.file_path, e.line, arg_min(e.error_message, e.column_idx) FROM ${rejects.table} e JOIN ${rejects.scan} s USING (scan_id, file_id) GROUP BY ALL ORDER BY s.file_path, e.line`,
    );
    const skipped = r
      .getRows()
      .map(
        ([file, line, msg]): SkippedLine => ({ file: String(file), line: Number(line), reason: String(msg) }),
      );
    await this.con.run(`DROP TABLE ${rejects.table}; DROP TABLE ${rejects.scan}`);
    const first = skipped[0];
    if (first && opts.strict) throw new DataFileError(`${first.file}:${first.line}: ${first.reason}`);
    for (const s of skipped) opts.onSkip?.(s);
    return skipped.length;
  }
}

/** A data path opened for scanning: its files and the union of their columns. */
export class Source {
  constructor(
    private readonly engine: Engine,
    readonly path: string,
    readonly format: InputFormat,
    readonly files: readonly string[],
    /** columns by trimmed name: the name in the data and its type */
    readonly columns: ReadonlyMap<string, { column: string; type: string }>,
    /** columns some files lack: the files */
    private readonly absentIn: ReadonlyMap<string, string[]>,
    /** files with different columns: read by column name */
    readonly union = false,
    /** staged data: each field's plan parts, written as columns d<i>, s<i>, z<i>, l<i> */
    private readonly stagedFields: ReadonlyMap<string, StagedField> = new Map(),
    /** staged data: the original, for which files lack a column */
    private readonly original?: Source,
  ) {}

  staged(name: string): StagedField | undefined {
    return this.original ? (this.stagedFields.get(name) ?? EMPTY_STAGED) : undefined;
  }

  /** Files that lack column `name` (all files when no file has it). */
  filesWithout(name: string): readonly string[] {
    if (this.original) return this.original.filesWithout(name);
    if (!this.columns.has(name)) return this.files;
    return this.absentIn.get(name) ?? [];
  }

  scan(fields: readonly Field[], onBatch: (b: ColumnBatch) => void, opts?: ScanOptions): Promise<number> {
    return this.engine.scan(this, fields, onBatch, opts);
  }

  /** Text data read more than once: parse it once into a Parquet file in the temporary directory. */
  stage(fields: readonly Field[], opts?: ScanOptions): Promise<{ source: Source; skipped: number }> {
    return this.engine.stage(this, fields, opts);
  }
}

/** The JSONL keys a scan of `fields` reads (those the data has; at least one, to check every line). */
function jsonKeys(source: Source, fields: readonly Field[]): string[] | undefined {
  if (source.format !== "jsonl") return undefined;
  const keys = fields.flatMap((f) => {
    const c = source.columns.get(f.name);
    return c ? [c.column] : [];
  });
  return keys.length > 0 ? [...new Set(keys)] : [PROBE_KEY];
}

/** A key no data has: a scan that reads no field still parses (and checks) every JSONL line. */
const PROBE_KEY = "__infermon_probe";

function readSql(
  format: InputFormat,
  files: readonly string[],
  byName: boolean,
  rejectsTable: { table: string; scan: string } | undefined,
  jsonKeyList?: readonly string[],
): string {
  const list = `[${files.map(lit).join(", ")}]`;
  const union = byName ? ", union_by_name = true" : "";
  const rejects = byName ? undefined : rejectsTable;
  switch (format) {
    case "parquet":
      return `read_parquet(${list}${union})`;
    case "jsonl":
      // the keys read are given as JSON values: no type is inferred from a sample, so no value
      // past it can fail a cast; records = true: a line that is not an object is malformed
      return jsonKeyList
        ? `read_json(${list}, format = 'newline_delimited', records = true, columns = {${jsonKeyList.map((k) => `${lit(k)}: 'JSON'`).join(", ")}})`
        : `read_json(${list}, format = 'newline_delimited'${union})`;
    default: {
      // every field as text: the engine casts numeric features itself, so a stray string is one
      // invalid value, never a failed read; malformed lines are set aside with their line numbers
      const delim = format === "tsv" ? "\\t" : ",";
      const rej = rejects
        ? `, store_rejects = true, rejects_table = ${lit(rejects.table)}, rejects_scan = ${lit(rejects.scan)}`
        : "";
      return `read_csv(${list}, header = true, delim = ${lit(delim)}, quote = '"', escape = '"', all_varchar = true, ignore_errors = true${rej}${union})`;
    }
  }
}

/** What a field's read yields: a number (d), text (s), a nested-value flag (z); merged per row. */
type Part = "d" | "s" | "z" | "l";

/** A staged field: its plan's parts, as columns d<index>, s<index>, z<index> of the staged file. */
export interface StagedField {
  parts: readonly Part[];
  index: number;
}

const EMPTY_STAGED: StagedField = { parts: [], index: -1 };

interface ColumnPlan {
  parts: readonly Part[];
  /** the SQL of each part, aliased d<i> / s<i> / z<i> */
  select(i: number): string[];
}

const JSON_NUMBER = "('BIGINT', 'UBIGINT', 'DOUBLE')";

/**
 * How one field is read, so that every format gives the same values (one finite-number rule,
 * values.ts). Numbers come as doubles; text the engine does not read as a plain number (NA, hex,
 * 1_000, …) comes through as text for values.ts to judge; booleans as `true`/`false`; nested values
 * (objects, lists) as a flag, invalid for any feature. Staged data reads its staged parts.
 */
function columnPlan(
  f: Field,
  col: { column: string; type: string } | undefined,
  staged: StagedField | undefined,
): ColumnPlan {
  if (staged)
    return { parts: staged.parts, select: (i) => staged.parts.map((p) => `${p}${staged.index} AS ${p}${i}`) };
  if (!col) return { parts: [], select: () => [] };
  const c = q(col.column);
  if (col.type === "JSON") {
    const t = `json_type(${c})`;
    const str = `(${c} ->> '$')`;
    // a multiclass model's probabilities: a JSON array of numbers (else invalid, as any nested value)
    if (f.list)
      return {
        parts: ["l", "d", "s", "z"],
        select: (i) => [
          `CASE WHEN ${t} = 'ARRAY' THEN TRY_CAST(${c} AS DOUBLE[]) END AS l${i}`,
          `CASE WHEN ${t} IN ${JSON_NUMBER} THEN TRY_CAST(${c} AS DOUBLE) END AS d${i}`,
          `CASE WHEN ${t} = 'VARCHAR' THEN ${str} WHEN ${t} = 'BOOLEAN' THEN CAST(${c} AS VARCHAR) END AS s${i}`,
          `CASE WHEN ${t} IN ('OBJECT', 'ARRAY') THEN true END AS z${i}`,
        ],
      };
    return {
      parts: ["d", "s", "z"],
      select: (i) =>
        f.numeric
          ? [
              `CASE WHEN ${t} IN ${JSON_NUMBER} THEN TRY_CAST(${c} AS DOUBLE) WHEN ${t} = 'VARCHAR' AND strpos(${str}, '_') = 0 THEN TRY_CAST(${str} AS DOUBLE) END AS d${i}`,
              `CASE WHEN ${t} = 'VARCHAR' AND d${i} IS NULL THEN ${str} WHEN ${t} = 'BOOLEAN' THEN CAST(${c} AS VARCHAR) END AS s${i}`,
              `CASE WHEN ${t} IN ('OBJECT', 'ARRAY') THEN true END AS z${i}`,
            ]
          : [
              `CASE WHEN ${t} IN ${JSON_NUMBER} THEN TRY_CAST(${c} AS DOUBLE) END AS d${i}`,
              `CASE WHEN ${t} = 'VARCHAR' THEN ${str} WHEN ${t} = 'BOOLEAN' THEN CAST(${c} AS VARCHAR) END AS s${i}`,
              `CASE WHEN ${t} IN ('OBJECT', 'ARRAY') THEN true END AS z${i}`,
            ],
    };
  }
  if (col.type === "VARCHAR") {
    if (!f.numeric) return { parts: ["s"], select: (i) => [`${c} AS s${i}`] };
    return {
      parts: ["d", "s"],
      select: (i) => [
        `CASE WHEN strpos(${c}, '_') = 0 THEN TRY_CAST(${c} AS DOUBLE) END AS d${i}`,
        `CASE WHEN d${i} IS NULL AND ${c} IS NOT NULL THEN ${c} END AS s${i}`,
      ],
    };
  }
  // a typed number is a double for either kind of feature (a category "2", not DuckDB's "2.0")
  if (NUMERIC_TYPES.test(col.type)) return { parts: ["d"], select: (i) => [`CAST(${c} AS DOUBLE) AS d${i}`] };
  // a multiclass model's probabilities: a typed list of numbers (Parquet, a typed JSONL column)
  if (f.list && /\[\d*\]$/.test(col.type))
    return { parts: ["l"], select: (i) => [`TRY_CAST(${c} AS DOUBLE[]) AS l${i}`] };
  if (NESTED_TYPES.test(col.type))
    return { parts: ["z"], select: (i) => [`CASE WHEN ${c} IS NOT NULL THEN true END AS z${i}`] };
  return { parts: ["s"], select: (i) => [`CAST(${c} AS VARCHAR) AS s${i}`] };
}

/** Stands for a nested value: values.ts counts any object as invalid. */
const NESTED = Object.freeze({});

// The vectors' typed storage (exact-pinned @duckdb/node-api; checked, with a slow path if absent).
interface Internals {
  items?: unknown;
  validity?: { data?: BigUint64Array | null };
}

function validityWords(v: DuckDBVector): Uint32Array | null {
  const data = (v as unknown as Internals).validity?.data;
  return data ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2) : null;
}

const valid = (w: Uint32Array, i: number): boolean => (((w[i >>> 5] as number) >>> (i & 31)) & 1) === 1;

function allNull(w: Uint32Array | null, n: number): boolean {
  if (!w) return false;
  for (let i = 0; i < n; i++) if (valid(w, i)) return false;
  return true;
}

function numbers(v: DuckDBVector, n: number): ArrayLike<unknown> {
  const items = (v as unknown as Internals).items;
  if (!(items instanceof Float64Array)) return Array.from({ length: n }, (_, i) => v.getItem(i));
  const w = validityWords(v);
  if (!w) return items.subarray(0, n);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = valid(w, i) ? items[i] : null;
  return out;
}

function decode(chunk: DuckDBDataChunk, plan: readonly ColumnPlan[]): (ArrayLike<unknown> | undefined)[] {
  const n = chunk.rowCount;
  const out: (ArrayLike<unknown> | undefined)[] = [];
  let c = 0;
  for (const p of plan) {
    const parts = p.parts;
    if (parts.length === 0) {
      out.push(undefined);
      continue;
    }
    let nums: ArrayLike<unknown> | undefined;
    let text: DuckDBVector | undefined;
    let nested: DuckDBVector | undefined;
    let list: DuckDBVector | undefined;
    for (const part of parts) {
      const v = chunk.getColumnVector(c++);
      if (part === "d") nums = numbers(v, n);
      else if (part === "s" && !allNull(validityWords(v), n)) text = v;
      else if (part === "z" && !allNull(validityWords(v), n)) nested = v;
      else if (part === "l" && !allNull(validityWords(v), n)) list = v;
    }
    if (!text && !nested && !list && nums) {
      out.push(nums);
      continue;
    }
    const merged = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      // a list of numbers (DuckDBListValue) as a plain array of its items
      const items = (list?.getItem(i) as { items?: unknown[] } | null | undefined)?.items;
      merged[i] = items ?? (nested?.getItem(i) ? NESTED : (text?.getItem(i) ?? (nums ? nums[i] : null)));
    }
    out.push(merged);
  }
  return out;
}

async function loadDuckdb(): Promise<typeof import("@duckdb/node-api")> {
  try {
    return await import("@duckdb/node-api");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw err;
    throw new BatchEngineMissingError(
      "the batch engine (@duckdb/node-api, an optional dependency) is not installed here: this install left optional dependencies out, as the agent image does. Run baseline, drift and profile from a full install (npm install -g infermon, or npm ci in a clone)",
    );
  }
}
