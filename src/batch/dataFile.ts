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

/** A data file that cannot be read as data; the CLI exits 2 with the message. */
export class DataFileError extends Error {
  override name = "DataFileError";
}

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

async function* csvRows(file: string, opts: ReadOptions): AsyncGenerator<Row> {
  const parser = openStream(file, opts.onProgress).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      skip_records_with_error: true,
      bom: true,
      delimiter: extname(file).toLowerCase() === ".tsv" ? "\t" : ",",
    }),
  );
  let fatal: Error | undefined;
  parser.on("skip", (err: Error & { lines?: number }) => {
    try {
      skip(opts, { file, line: err.lines ?? 0, reason: err.message.replace(/ on line \d+$/, "") });
    } catch (e) {
      fatal = e as Error;
      parser.destroy();
    }
  });
  try {
    for await (const record of parser) yield record as Row;
  } catch (err) {
    if (fatal) throw fatal;
    throw new DataFileError(`${file}: ${(err as Error).message}`);
  }
  if (fatal) throw fatal;
}

async function* jsonlRows(file: string, opts: ReadOptions): AsyncGenerator<Row> {
  const lines = createInterface({
    input: openStream(file, opts.onProgress),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      skip(opts, { file, line: n, reason: `not JSON (${(err as Error).message})` });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      skip(opts, { file, line: n, reason: "not a JSON object" });
      continue;
    }
    yield value as Row;
  }
}

/** Rows of a CSV or JSONL file, streamed. */
export function readRows(file: string, opts: ReadOptions = {}): AsyncGenerator<Row> {
  return formatOf(file) === "csv" ? csvRows(file, opts) : jsonlRows(file, opts);
}
