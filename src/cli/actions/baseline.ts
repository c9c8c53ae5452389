// `infermon baseline`: options in ../baselineCommand.ts.
import { renameSync, writeFileSync } from "node:fs";
import { DataFileError } from "../../batch/dataFileError.js";
import type { ScoresSummary } from "../../batch/scoresPass.js";
import { findModel, loadConfig } from "../../config/load.js";
import type { ModelConfig } from "../../config/model.js";
import { learnThresholds } from "../../stats/learnedThresholds.js";
import type { BaselineOptions } from "../baselineCommand.js";
import { batchOptions } from "../batchFlags.js";
import { readProfileFile } from "../profileFile.js";
import { reportSkip } from "../reportSkip.js";
import { UsageError } from "../usageError.js";

export async function baselineAction(opts: BaselineOptions): Promise<void> {
  const model = findModel(loadConfig(opts.config), opts.model);
  const resamples = Number(opts.resamples);
  if (!Number.isInteger(resamples) || resamples < 100)
    throw new UsageError("--resamples: must be an integer of at least 100");
  // the engine (DuckDB) loads only here: `infermon run` never maps it
  const batch = { ...batchOptions(opts), onSkip: reportSkip };
  if (opts.binsFrom && opts.sample !== undefined)
    throw new UsageError("--bins-from and --sample exclude each other");
  const { profile, skipped, empty, scores } = opts.binsFrom
    ? await (await import("../../batch/countInto.js")).countIntoProfile(
        model,
        readProfileFile(opts.binsFrom),
        opts.data,
        batch,
      )
    : await (await import("../../batch/baseline.js")).buildProfile(model, opts.data, {
        ...batch,
        ...(opts.sample !== undefined && { sample: opts.sample }),
      });
  if (empty.length > 0) {
    // a distribution with no values is undefined: drift on it is null, never a number
    const what = `${empty.map((f) => `"${f}"`).join(", ")}: no values in ${opts.data} (every row missing or invalid); drift on ${empty.length > 1 ? "them" : "it"} is undefined (status missing, no alert)`;
    if (opts.strict) throw new DataFileError(`feature${empty.length > 1 ? "s" : ""} ${what}`);
    process.stderr.write(`infermon: warning: feature${empty.length > 1 ? "s" : ""} ${what}\n`);
  }
  if (scores) reportScores(model, opts.data, scores);
  if (model.drift.learn) {
    const started = Date.now();
    profile.thresholds = learnThresholds(model, profile, { resamples });
    process.stderr.write(
      `${opts.output}: drift thresholds learned from ${resamples} bootstrap windows per window size (${Date.now() - started} ms)\n`,
    );
  }
  // write then rename: a reader never sees half a profile
  const tmp = `${opts.output}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(profile, null, 2)}\n`);
  renameSync(tmp, opts.output);
  const pred = profile.prediction
    ? `, prediction "${profile.prediction.name}" (${profile.prediction.type})`
    : "";
  process.stderr.write(
    `${opts.output}: ${profile.rows} rows, ${profile.features.length} features${pred}` +
      (skipped > 0 ? `, ${skipped} malformed lines skipped` : "") +
      "\n",
  );
}

function reportScores(model: ModelConfig, data: string, s: ScoresSummary): void {
  const out = model.prediction.output;
  const target = model.labels.target;
  if (s.scored === 0) {
    process.stderr.write(
      `infermon: warning: no row of ${data} has a score in "${out}" (a probability; multiclass: one per class, in class order): no score bins, so no estimated quality; ROC AUC uses equal bins\n`,
    );
    return;
  }
  if (target === undefined) {
    process.stderr.write(
      `infermon: note: scores binned from ${s.scored} rows; set labels.target to the training data's truth column to learn their calibration (estimated quality)\n`,
    );
    return;
  }
  if (s.unreadableTargets > 0)
    process.stderr.write(
      `infermon: warning: ${s.unreadableTargets} of ${s.scored} scored rows have no readable "${target}" (missing, or not a class of the model): left out of the calibration\n`,
    );
  if (s.labelled === 0)
    process.stderr.write(
      `infermon: warning: no readable target in "${target}": no calibration, no estimated quality\n`,
    );
  else
    process.stderr.write(
      `${data}: scores calibrated on ${s.labelled} rows with a target ("${target}", isotonic per score bin)\n`,
    );
}
