// A data path (file, glob or URL) opened by the batch engine: its files, the union of their
// columns and which files lack each one; after staging, the Parquet file and each field's parts.
import type { ColumnBatch } from "../stats/columnBatch.js";
import { EMPTY_STAGED, type Field, type StagedField } from "./columnPlan.js";
import type { Engine, ScanOptions } from "./duckdbEngine.js";
import type { InputFormat } from "./inputFormat.js";

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
export function jsonKeys(source: Source, fields: readonly Field[]): string[] | undefined {
  if (source.format !== "jsonl") return undefined;
  const keys = fields.flatMap((f) => {
    const c = source.columns.get(f.name);
    return c ? [c.column] : [];
  });
  return keys.length > 0 ? [...new Set(keys)] : [PROBE_KEY];
}

/** A key no data has: a scan that reads no field still parses (and checks) every JSONL line. */
const PROBE_KEY = "__infermon_probe";
