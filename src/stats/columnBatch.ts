// A batch of rows read column by column (from the batch engine), aligned with a list of field
// names: column i holds field i's raw values for every row of the batch, or is undefined when the
// data has no such field. Raw values are what the value readers in values.ts take (numbers, strings,
// null), so rows and columns are judged by the same rules.

export interface ColumnBatch {
  readonly rows: number;
  readonly columns: ReadonlyArray<ArrayLike<unknown> | undefined>;
}
