import { type Command, Option } from "commander";
import { batchDrift } from "../batch/batchDrift.js";
import { formatTable } from "../batch/table.js";
import { findModel, loadConfig } from "../config/load.js";
import type { Level } from "../config/model.js";
import { gateFails } from "../stats/driftReport.js";
import { EXIT } from "./exitCodes.js";
import { reportSkip } from "./reportSkip.js";

interface Options {
  config: string;
  model: string;
  reference: string;
  current: string;
  format: "json" | "table";
  failOn?: Exclude<Level, "ok">;
  failOnInsufficient?: boolean;
  strict?: boolean;
}

export function registerDrift(program: Command): void {
  program
    .command("drift")
    .description("compare current data with a reference (a CI data gate); exit 1 when --fail-on is reached")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .requiredOption("-m, --model <name>", "model name from the configuration")
    .requiredOption("--reference <file>", "reference: a profile from `infermon baseline`, or a data file")
    .requiredOption("--current <file>", "current data: CSV with a header row, or JSONL")
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
    )
    .option("--strict", "stop at the first malformed line instead of skipping it")
    .action(async (opts: Options) => {
      const model = findModel(loadConfig(opts.config), opts.model);
      const report = await batchDrift(model, opts.reference, opts.current, {
        strict: opts.strict ?? false,
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
