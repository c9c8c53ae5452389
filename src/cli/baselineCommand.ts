import type { Command } from "commander";
import { DEFAULT_BOOTSTRAP } from "../stats/bootstrapDefaults.js";
import { addBatchFlags, type BatchFlags, positiveInteger } from "./batchFlags.js";

export interface BaselineOptions extends BatchFlags {
  config: string;
  model: string;
  data: string;
  output: string;
  resamples?: string;
  sample?: number;
  binsFrom?: string;
}

export function registerBaseline(program: Command): void {
  const cmd = program
    .command("baseline")
    .description("build a reference profile (bins and counts) from training data (CSV, Parquet or JSONL)")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .requiredOption("-m, --model <name>", "model name from the configuration")
    .requiredOption("--data <path>", "training data: a file, a glob (quoted) or an s3:// / https:// URL")
    .requiredOption("-o, --output <file>", "where to write the profile (JSON)")
    .option(
      "--sample <n>",
      "quantile edges from a uniform sample of n values per feature (default: exact, any size)",
      positiveInteger("--sample"),
    )
    .option(
      "--bins-from <profile>",
      "count the data into this profile's bins instead of choosing bins (profiles to `profile merge`)",
    )
    .option(
      "--resamples <n>",
      "windows drawn per level when learning drift levels (drift.expected_rate)",
      String(DEFAULT_BOOTSTRAP.resamples),
    );
  addBatchFlags(cmd, "; with baseline, also fail (exit 2) when a feature has no values").action(
    async (opts: BaselineOptions) => {
      // implementations load when their command runs: `--help` stays fast
      const { baselineAction } = await import("./actions/baseline.js");
      await baselineAction(opts);
    },
  );
}

/** What the scores pass read: the calibration's source, and what it could not use. */
