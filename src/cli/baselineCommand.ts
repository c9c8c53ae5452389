import { renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { buildProfile } from "../batch/baseline.js";
import { DataFileError } from "../batch/dataFile.js";
import { findModel, loadConfig } from "../config/load.js";
import { DEFAULT_BOOTSTRAP } from "../stats/bootstrapThresholds.js";
import { learnThresholds } from "../stats/learnedThresholds.js";
import { reportSkip } from "./reportSkip.js";
import { UsageError } from "./usageError.js";

interface Options {
  config: string;
  model: string;
  data: string;
  output: string;
  strict?: boolean;
  resamples?: string;
}

export function registerBaseline(program: Command): void {
  program
    .command("baseline")
    .description("build a reference profile (bins and counts) from training data (CSV or JSONL)")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .requiredOption("-m, --model <name>", "model name from the configuration")
    .requiredOption("--data <file>", "training data: CSV with a header row, or JSONL")
    .requiredOption("-o, --output <file>", "where to write the profile (JSON)")
    .option(
      "--strict",
      "stop at the first malformed line instead of skipping it, and fail (exit 2) when a feature has no values",
    )
    .option(
      "--resamples <n>",
      "windows drawn per level when learning thresholds (drift.thresholds: auto)",
      String(DEFAULT_BOOTSTRAP.resamples),
    )
    .action(async (opts: Options) => {
      const model = findModel(loadConfig(opts.config), opts.model);
      const resamples = Number(opts.resamples);
      if (!Number.isInteger(resamples) || resamples < 100)
        throw new UsageError("--resamples: must be an integer of at least 100");
      const { profile, skipped, empty } = await buildProfile(model, opts.data, {
        strict: opts.strict ?? false,
        onSkip: reportSkip,
      });
      if (empty.length > 0) {
        // a distribution with no values is undefined: drift on it is null, never a number
        const what = `${empty.map((f) => `"${f}"`).join(", ")}: no values in ${opts.data} (every row missing or invalid); drift on ${empty.length > 1 ? "them" : "it"} is undefined (status missing, no alert)`;
        if (opts.strict) throw new DataFileError(`feature${empty.length > 1 ? "s" : ""} ${what}`);
        process.stderr.write(`infermon: warning: feature${empty.length > 1 ? "s" : ""} ${what}\n`);
      }
      if (model.drift.auto) {
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
    });
}
