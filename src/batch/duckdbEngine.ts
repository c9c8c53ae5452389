// The batch engine: DuckDB reads CSV, Parquet and JSONL (a path, a glob or an object-store URL)
// and hands column batches to the pure counting in src/stats/ (docs/adr/0007-batch-engine.md).
// Only `baseline`, `drift` and `profile` load it, through a dynamic import: the agent never maps
// DuckDB (test/e2e/lazyDuckdb.test.ts).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { ColumnBatch } from "../stats/columnBatch.js";
import { decode } from "./chunkDecoder.js";
import { columnPlan, type Field, type StagedField } from "./columnPlan.js";
import { DataFileError, type SkippedLine } from "./dataFile.js";
import { jsonKeys, Source } from "./dataSource.js";
import { lit, q, readSql } from "./duckdbSql.js";
import { BatchEngineMissingError } from "./engineMissing.js";
import { type InputFormat, isPattern } from "./inputFormat.js";

export interface EngineOptions {
  /** DuckDB's memory_limit (it spills to a temporary directory beyond it) */
  memoryLimit?: string;
  threads?: number;
}

export const DEFAULT_MEMORY_LIMIT = "512MB";

export interface ScanOptions {
  /** malformed CSV lines: reported here (first pass only), or fatal when strict */
  onSkip?: (s: SkippedLine) => void;
  strict?: boolean;
  /** fraction of the scan done, 0..1 */
  onProgress?: (fraction: number) => void;
}

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
    const { n, rejects, plans, sql } = this.query(source, fields);
    const out = join(this.tempDir, `stage-${n}.parquet`);
    // each field's plan is evaluated once, its parts written as columns d<i>, s<i>, z<i>, l<i>
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
        `COPY (${sql}) TO ${lit(out)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 65536)`,
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
    const { rejects, plans: plan, sql } = this.query(source, fields);
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

  /**
   * The SELECT of a scan or stage of `fields` (one plan per field), numbered `n`; a single-header
   * CSV read sets malformed lines aside in the `rejects` tables.
   */
  private query(source: Source, fields: readonly Field[]) {
    const n = ++this.scans;
    const rejects =
      !source.union && (source.format === "csv" || source.format === "tsv")
        ? { table: `rej${n}`, scan: `rejscan${n}` }
        : undefined;
    const plans = fields.map((f) => columnPlan(f, source.columns.get(f.name), source.staged(f.name)));
    const select = plans.flatMap((p, i) => p.select(i));
    const sql = `SELECT ${select.length > 0 ? select.join(", ") : "1 AS one"} FROM ${readSql(source.format, source.files, source.union, rejects, jsonKeys(source, fields))}`;
    return { n, rejects, plans, sql };
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
