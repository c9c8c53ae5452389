// A data path opened for the batch commands: DuckDB scans it (CSV, Parquet, JSONL; file, glob or
// URL); JSONL with malformed lines is read line by line instead, so each bad line is reported and
// skipped as before. Either way the consumer gets column batches.
import type { ColumnBatch } from "../stats/columnBatch.js";
import type { Field } from "./columnPlan.js";
import { DataFileError, forEachRow } from "./dataFile.js";
import type { Source } from "./dataSource.js";
import { type Engine, MalformedJsonl, type ScanOptions } from "./duckdbEngine.js";
import { type InputFormat, inputFormatOf, isPattern } from "./inputFormat.js";

const BATCH_ROWS = 2048;

export class DataReader {
  /** fields seen in any row (line-by-line reading only) */
  private readonly seen = new Set<string>();
  private scanned = false;

  private constructor(
    readonly path: string,
    private source: Source | undefined,
    private readonly lineFiles: readonly string[],
  ) {}

  /** `wanted`: the fields the caller will read (JSONL keys past DuckDB's type sample are looked for). */
  static async open(
    engine: Engine,
    path: string,
    formatIn?: InputFormat,
    wanted: readonly string[] = [],
  ): Promise<DataReader> {
    const format = inputFormatOf(path, formatIn);
    try {
      const source = await engine.source(path, format, wanted);
      if (format === "jsonl") await source.scan([], () => {}); // any malformed line?
      return new DataReader(path, source, []);
    } catch (err) {
      if (!(err instanceof MalformedJsonl)) throw err;
      if (isPattern(path) && !/[*?[]/.test(path))
        throw new DataFileError(`${err.message} (remote JSONL must be well-formed)`);
      return new DataReader(path, undefined, isPattern(path) ? await engine.listFiles(path) : [path]);
    }
  }

  /** Text data (CSV, JSONL) read by the engine: worth parsing once when read several times. */
  get stageable(): boolean {
    return this.source !== undefined && this.source.format !== "parquet";
  }

  /** Parse the data once into Parquet (temporary); later scans read that. Returns lines skipped. */
  async stage(fields: readonly Field[], opts: ScanOptions = {}): Promise<number> {
    if (!this.source) return 0;
    const { source, skipped } = await this.source.stage(fields, opts);
    this.source = source;
    return skipped;
  }

  /** Whether the columns are known before a scan (not when reading line by line). */
  get knowsColumns(): boolean {
    return this.source !== undefined;
  }

  /** The data's columns (keys seen, when reading line by line). */
  columnNames(): string[] {
    return this.source ? [...this.source.columns.keys()] : [...this.seen];
  }

  /** Files lacking field `name` (after a first scan, for line-by-line reading). */
  filesWithout(name: string): readonly string[] {
    if (this.source) return this.source.filesWithout(name);
    if (!this.scanned) throw new Error("filesWithout() before a scan");
    return this.seen.has(name) ? [] : this.lineFiles;
  }

  /** Stream `fields` in column batches; resolves with the malformed lines skipped. */
  async scan(
    fields: readonly Field[],
    onBatch: (b: ColumnBatch) => void,
    opts: ScanOptions = {},
  ): Promise<number> {
    if (this.source) return this.source.scan(fields, onBatch, opts);
    let skipped = 0;
    const names = fields.map((f) => f.name);
    let rows: Record<string, unknown>[] = [];
    const flush = () => {
      if (rows.length === 0) return;
      const batch = rows;
      rows = [];
      onBatch({ rows: batch.length, columns: names.map((n) => batch.map((r) => r[n])) });
    };
    for (const [k, file] of this.lineFiles.entries()) {
      await forEachRow(
        file,
        (row) => {
          if (!this.scanned) for (const key of Object.keys(row)) this.seen.add(key);
          rows.push(row as Record<string, unknown>);
          if (rows.length >= BATCH_ROWS) flush();
        },
        {
          strict: opts.strict ?? false,
          onSkip: (s) => {
            skipped++;
            opts.onSkip?.(s);
          },
          ...(opts.onProgress && {
            onProgress: (read: number, total: number) =>
              opts.onProgress?.((k + (total > 0 ? read / total : 1)) / this.lineFiles.length),
          }),
        },
      );
    }
    flush();
    this.scanned = true;
    return skipped;
  }
}
