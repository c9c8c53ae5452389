import { type Command, Option } from "commander";
import type { Level } from "../config/model.js";
import { addBatchFlags, type BatchFlags } from "./batchFlags.js";

export interface DriftOptions extends BatchFlags {
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
  addBatchFlags(cmd).action(async (opts: DriftOptions) => {
    // implementations load when their command runs: `--help` stays fast
    const { driftAction } = await import("./actions/drift.js");
    await driftAction(opts);
  });
}
