// `infermon drift`: options in ../driftCommand.ts.
import { formatTable } from "../../batch/table.js";
import { findModel, loadConfig } from "../../config/load.js";
import { gateFails } from "../../stats/driftReport.js";
import { batchOptions } from "../batchFlags.js";
import type { DriftOptions } from "../driftCommand.js";
import { EXIT } from "../exitCodes.js";
import { reportSkip } from "../reportSkip.js";

export async function driftAction(opts: DriftOptions): Promise<void> {
  const model = findModel(loadConfig(opts.config), opts.model);
  // the engine (DuckDB) loads only here: `infermon run` never maps it
  const { batchDrift } = await import("../../batch/batchDrift.js");
  const report = await batchDrift(model, opts.reference, opts.current, {
    ...batchOptions(opts),
    onSkip: reportSkip,
  });
  if (report.rows.current < model.minSamples) {
    process.stderr.write(
      `infermon: note: ${report.rows.current} current rows is below min_samples (${model.minSamples}): status insufficient_data, --fail-on not applied${opts.failOnInsufficient ? "" : " (--fail-on-insufficient fails it)"}\n`,
    );
  }
  process.stdout.write(
    opts.format === "table" ? formatTable(report) : `${JSON.stringify(report, null, 2)}\n`,
  );
  if (gateFails(report, opts.failOn, opts.failOnInsufficient ?? false)) process.exitCode = EXIT.threshold;
}
