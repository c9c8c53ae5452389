// `infermon compare`: options in ../compareCommand.ts.
import { findModel, loadConfig } from "../../config/load.js";
import { formatComparison } from "../../shadow/comparisonTable.js";
import { levelReached } from "../../stats/drift.js";
import { batchOptions } from "../batchFlags.js";
import type { CompareOptions } from "../compareCommand.js";
import { EXIT } from "../exitCodes.js";
import { reportSkip } from "../reportSkip.js";

export async function compareAction(opts: CompareOptions): Promise<void> {
  const model = findModel(loadConfig(opts.config), opts.model);
  // the engine (DuckDB) loads only here
  const { compareFiles } = await import("../../batch/compareFiles.js");
  const report = await compareFiles(model, opts.a, opts.b, {
    ...batchOptions(opts),
    onSkip: reportSkip,
    id: opts.id,
    label: opts.label,
    minAgreement: opts.minAgreement,
  });
  if (report.status === "insufficient_data")
    process.stderr.write(
      `infermon: note: ${report.rows.paired} paired rows is below min_samples (${model.minSamples}): status insufficient_data, --fail-on not applied${opts.failOnInsufficient ? "" : " (--fail-on-insufficient fails it)"}\n`,
    );
  process.stdout.write(
    opts.format === "table" ? formatComparison(report) : `${JSON.stringify(report, null, 2)}\n`,
  );
  const fails =
    report.status === "insufficient_data"
      ? opts.failOnInsufficient === true
      : opts.failOn !== undefined && levelReached(report.status, opts.failOn);
  if (fails) process.exitCode = EXIT.threshold;
}
