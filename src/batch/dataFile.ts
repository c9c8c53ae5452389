// Streams rows from a data file (CSV with a header row, or JSONL of flat objects) without holding
// the file in memory. Malformed lines are reported with their line number and skipped, or fatal
// in strict mode.
import { createReadStream, statSync } from "node:fs";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import type { Row } from "../stats/profileBuilder.js";

export type DataFormat = "csv" | "jsonl";

export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ReadOptions {
  strict?: boolean;
  onSkip?: (s: SkippedLine) => void;
  /** bytes read so far, for progress */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

import { DataFileError } from "./dataFileError.js";

export { DataFileError };

export function formatOf(file: string): DataFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson" || ext === ".json") return "jsonl";
  throw new DataFileError(`${file}: unknown data format "${ext}" (expected .csv, .jsonl or .ndjson)`);
}

function openStream(file: string, onProgress?: ReadOptions["onProgress"]) {
  let total: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new DataFileError(`${file}: not a file`);
    total = st.size;
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    throw new DataFileError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onProgress) {
    let read = 0;
    stream.on("data", (chunk) => {
      read += chunk.length;
      onProgress(read, total);
    });
  }
  return stream;
}

function skip(opts: ReadOptions, s: SkippedLine): void {
  if (opts.strict) throw new DataFileError(`${s.file}:${s.line}: ${s.reason}`);
  opts.onSkip?.(s);
}

// Rows are handed to a callback from the stream's own events: measurably faster and lighter than
// an async iterator per row (bench/README.md, "Batch").
function csvRows(file: string, onRow: (row: Row) => void, opts: ReadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      skip_records_with_error: true,
      bom: true,
      delimiter: extname(file).toLowerCase() === ".tsv" ? "\t" : ",",
    });
    const input = openStream(file, opts.onProgress);
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      input.destroy();
      parser.destroy();
      reject(err instanceof DataFileError ? err : new DataFileError(`${file}: ${err.message}`));
    };
    parser.on("skip", (err: Error & { lines?: number }) => {
      try {
        skip(opts, { file, line: err.lines ?? 0, reason: err.message.replace(/ on line \d+$/, "") });
      } catch (e) {
        fail(e as Error);
      }
    });
    parser.on("data", (record: Row) => {
      if (failed) return;
      try {
        onRow(record);
      } catch (e) {
        fail(e as Error);
      }
    });
    parser.on("error", fail);
    input.on("error", fail);
    parser.on("end", () => {
      if (!failed) resolve();
    });
    input.pipe(parser);
  });
}

function jsonlRows(file: string, onRow: (row: Row) => void, opts: ReadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const input = openStream(file, opts.onProgress);
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      lines.close();
      input.destroy();
      reject(err instanceof DataFileError ? err : new DataFileError(`${file}: ${err.message}`));
    };
    lines.on("line", (raw) => {
      n++;
      // a UTF-8 byte order mark before the first line is not part of the data
      const line = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (failed || line.trim() === "") return;
      try {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          skip(opts, { file, line: n, reason: `not JSON (${(err as Error).message})` });
          return;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          skip(opts, { file, line: n, reason: "not a JSON object" });
          return;
        }
        onRow(value as Row);
      } catch (e) {
        fail(e as Error);
      }
    });
    input.on("error", fail);
    lines.on("close", () => {
      if (!failed) resolve();
    });
  });
}

/** Stream the rows of a CSV or JSONL file into `onRow`; resolves when the file is read. */
export function forEachRow(file: string, onRow: (row: Row) => void, opts: ReadOptions = {}): Promise<void> {
  try {
    return formatOf(file) === "csv" ? csvRows(file, onRow, opts) : jsonlRows(file, onRow, opts);
  } catch (err) {
    return Promise.reject(err);
  }
}
