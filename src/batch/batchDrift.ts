import type { ModelConfig } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { type DriftReport, driftReport } from "../stats/driftReport.js";
import { ProfileError } from "../stats/profile.js";
import { RowCounter } from "../stats/rowCounter.js";
import { DataFileError, forEachRow, type ReadOptions } from "./dataFile.js";
import { withBatchLevels } from "./learnedLevels.js";
import { loadReference } from "./loadReference.js";
import { progress } from "./progress.js";

/** Compare a current data file with a reference (profile or data file) using the drift engine. */
export async function batchDrift(
  model: ModelConfig,
  referenceFile: string,
  currentFile: string,
  opts: Pick<ReadOptions, "strict" | "onSkip"> = {},
): Promise<DriftReport> {
  let skipped = 0;
  const onSkip: ReadOptions["onSkip"] = (s) => {
    skipped++;
    opts.onSkip?.(s);
  };
  const { profile } = await loadReference(model, referenceFile, { strict: opts.strict ?? false, onSkip });
  if (profile.model !== model.name) {
    throw new ProfileError(`${referenceFile}: profile is for model "${profile.model}", not "${model.name}"`);
  }
  if (profile.rows === 0) throw new DataFileError(`${referenceFile}: the reference has no rows`);
  const layout = BinLayout.fromProfile(profile, model);
  const counter = new RowCounter(layout);
  const p = progress(`${currentFile}:`);
  await forEachRow(currentFile, (row) => counter.add(row), {
    strict: opts.strict ?? false,
    onSkip,
    onProgress: p.update,
  });
  p.done();
  if (counter.rows === 0) throw new DataFileError(`${currentFile}: no data rows`);
  const judged = withBatchLevels(model, profile, counter.rows);
  return driftReport(judged, layout, counter, { reference: profile.rows, skipped });
}
