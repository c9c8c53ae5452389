import { type Command, Option } from "commander";
import { formatTable } from "../batch/table.js";
import { findModel, loadConfig } from "../config/load.js";
import type { Level } from "../config/model.js";
import { gateFails } from "../stats/driftReport.js";
import { addBatchFlags, type BatchFlags, batchOptions } from "./batchFlags.js";
import { EXIT } from "./exitCodes.js";
import { reportSkip } from "./reportSkip.js";

interface Options extends BatchFlags {
  config: string;
  model: string;
  reference: string;
  current: string;
  format: "json" | "table";
  failOn?: Exclude<Level, "ok">;
  failOnInsufficient?: boolean;
}

export function registerDrift(program: Command): void {
  const cmd = program
    .command("drift")
    .description("compare current data with a reference (a CI data gate); exit 1 when --fail-on is reached")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .requiredOption("-m, --model <name>", "model name from the configuration")
    .requiredOption(
      "--reference <path>",
      "reference: a profile from `infermon baseline`, or data (file, glob, URL)",
    )
    .requiredOption(
      "--current <path>",
      "current data: CSV, Parquet or JSONL; a file, a glob (quoted) or a URL",
    )
    .addOption(new Option("--format <format>", "output format").choices(["json", "table"]).default("json"))
    .addOption(
      new Option(
        "--fail-on <level>",
        "exit 1 when the overall status reaches this level (a missing current feature counts as critical)",
      ).choices(["warning", "critical"]),
    )
    .option(
      "--fail-on-insufficient",
      "exit 1 when the current data has fewer than min_samples rows (status insufficient_data)",
    );
  addBatchFlags(cmd).action(async (opts: Options) => {
    const model = findModel(loadConfig(opts.config), opts.model);
    // the engine (DuckDB) loads only here: `infermon run` never maps it
    const { batchDrift } = await import("../batch/batchDrift.js");
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
  });
}
