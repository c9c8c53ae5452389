// Which reader a data path needs: by `--format-in`, else by extension (compressed CSV/JSONL too).
import { DataFileError } from "./dataFileError.js";

export const INPUT_FORMATS = ["csv", "tsv", "parquet", "jsonl"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

const BY_EXTENSION: ReadonlyArray<[RegExp, InputFormat]> = [
  [/\.csv(\.(gz|zst))?$/i, "csv"],
  [/\.tsv(\.(gz|zst))?$/i, "tsv"],
  [/\.(parquet|pq)$/i, "parquet"],
  [/\.(jsonl|ndjson|json)(\.(gz|zst))?$/i, "jsonl"],
];

export function inputFormatOf(path: string, override?: InputFormat): InputFormat {
  if (override) return override;
  for (const [re, f] of BY_EXTENSION) if (re.test(path)) return f;
  throw new DataFileError(
    `${path}: unknown data format (expected .csv, .tsv, .parquet, .jsonl or .ndjson, or give --format-in)`,
  );
}

/** A glob pattern or a remote URL: DuckDB lists the files; a plain local path is checked by us. */
export function isPattern(path: string): boolean {
  return /[*?[]/.test(path) || /^[a-z][a-z0-9+]*:\/\//i.test(path);
}
