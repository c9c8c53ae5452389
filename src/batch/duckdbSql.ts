// The SQL text the batch engine sends DuckDB: quoting, and the table function that reads a data
// file in each format (every CSV field as text; JSONL keys as JSON values; Parquet as typed).
import type { InputFormat } from "./inputFormat.js";

export const q = (id: string): string => `"${id.replaceAll('"', '""')}"`;
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export function readSql(
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
