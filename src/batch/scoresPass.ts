// The `scores` section of a profile from a data path (baseline, and baseline --bins-from): reads
// only the prediction and target columns, one pass for the quantile edges (none with given
// edges), one to count. Reports what it could not read.
import type { ModelConfig } from "../config/model.js";
import type { ProfileScores } from "../stats/scoreProfile.js";
import type { Field } from "./columnPlan.js";
import { DataFileError } from "./dataFile.js";
import type { DataReader } from "./reader.js";
import { ScoreProfileBuilder } from "./scoreProfileBuilder.js";

export interface ScoresSummary {
  scores: ProfileScores | undefined;
  /** rows with a score */
  scored: number;
  /** rows with a score and a readable target */
  labelled: number;
  /** scored rows whose target is missing or not a class of the model */
  unreadableTargets: number;
}

/** The fields scoresPass reads: the prediction (multiclass: a list), then the target if any. */
export function scoreFields(model: ModelConfig): Field[] {
  const out: Field[] = [
    { name: model.prediction.output, numeric: false, list: model.task === "multiclass_classification" },
  ];
  if (model.labels.target !== undefined) out.push({ name: model.labels.target, numeric: false });
  return out;
}

/** A configured target column no file has: an error naming the file and the columns found. */
export function requireTarget(model: ModelConfig, reader: DataReader): void {
  const target = model.labels.target;
  if (target === undefined) return;
  const file = reader.filesWithout(target)[0];
  if (file === undefined) return;
  const columns = reader.columnNames();
  throw new DataFileError(
    `${file}: labels.target "${target}" is not in the data${columns.length > 0 ? ` (its columns or keys: ${columns.slice(0, 20).join(", ")})` : ""}`,
  );
}

export async function scoresPass(
  model: ModelConfig,
  reader: DataReader,
  run: (what: string, scan: (onProgress: (f: number) => void) => Promise<number>) => Promise<number>,
  seed?: ProfileScores,
): Promise<ScoresSummary | undefined> {
  const b = new ScoreProfileBuilder(model, model.labels.target !== undefined);
  if (!b.active) return undefined;
  const fields = scoreFields(model);
  const target = fields.length > 1;
  if (!seed)
    await run("score quantiles", (onProgress) =>
      reader.scan(
        fields.slice(0, 1),
        (batch) => {
          const col = batch.columns[0];
          if (col) for (let r = 0; r < batch.rows; r++) b.observe(col[r]);
        },
        { onProgress },
      ),
    );
  b.fixBins(seed);
  await run(target ? "score counts, calibration" : "score counts", (onProgress) =>
    reader.scan(
      fields,
      (batch) => {
        const p = batch.columns[0];
        const t = batch.columns[1];
        for (let r = 0; r < batch.rows; r++) b.count(p?.[r], target ? t?.[r] : undefined);
      },
      { onProgress },
    ),
  );
  return b.summary();
}
