import { type Command, Option } from "commander";
import { formatTable } from "../batch/table.js";
import { findModel, loadConfig } from "../config/load.js";
import type { Level } from "../config/model.js";
import { levelReached } from "../stats/drift.js";
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
      new Option("--fail-on <level>", "exit 1 when the overall status reaches this level").choices([
        "warning",
        "critical",
      ]),
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
        `infermon: note: ${report.rows.current} current rows is below min_samples (${model.minSamples}); values are noisy\n`,
      );
    }
    process.stdout.write(
      opts.format === "table" ? formatTable(report) : `${JSON.stringify(report, null, 2)}\n`,
    );
    if (opts.failOn && levelReached(report.status, opts.failOn)) process.exitCode = EXIT.threshold;
  });
}
