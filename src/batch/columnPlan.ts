// How the batch engine reads one field, so that CSV, JSONL and Parquet give the same values: the
// SQL that splits a column into parts (a number, text, a nested-value flag, a list of numbers),
// written as columns d<i>, s<i>, z<i>, l<i> of a scan or of the staged Parquet file.
import { q } from "./duckdbSql.js";

/** A field the scan reads: numeric features are parsed by the engine, other fields come raw. */
export interface Field {
  name: string;
  numeric: boolean;
  /** a list of numbers (a multiclass model's probabilities) comes as an array, not as invalid */
  list?: boolean;
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

const NESTED_TYPES = /^(STRUCT|MAP|UNION|JSON)|\[\d*\]$/;

/** What a field's read yields: a number (d), text (s), a nested-value flag (z); merged per row. */
export type Part = "d" | "s" | "z" | "l";

/** A staged field: its plan's parts, as columns d<index>, s<index>, z<index> of the staged file. */
export interface StagedField {
  parts: readonly Part[];
  index: number;
}

export const EMPTY_STAGED: StagedField = { parts: [], index: -1 };

export interface ColumnPlan {
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
export function columnPlan(
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
