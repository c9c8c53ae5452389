import { type Command, InvalidArgumentError, Option } from "commander";
import type { Level } from "../config/model.js";
import { addBatchFlags, type BatchFlags } from "./batchFlags.js";

export interface CompareOptions extends BatchFlags {
  config: string;
  model: string;
  a: string;
  b: string;
  id?: string;
  label?: string;
  minAgreement?: number;
  format: "json" | "table";
  failOn?: Exclude<Level, "ok">;
  failOnInsufficient?: boolean;
}

const share = (v: string): number => {
  const x = Number(v);
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError("must be a share in [0, 1]");
  return x;
};

export function registerCompare(program: Command): void {
  const cmd = program
    .command("compare")
    .description(
      "compare a candidate's predictions (B) with the current model's (A) on the same inputs: agreement, differences, drift, quality; exit 1 when --fail-on is reached",
    )
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .requiredOption("-m, --model <name>", "model name from the configuration")
    .requiredOption(
      "--a <path>",
      "the current model's predictions: CSV, Parquet or JSONL; a file, a glob or a URL",
    )
    .requiredOption("--b <path>", "the candidate's predictions on the same inputs")
    .option("--id <column>", "pair rows by this column (default: by position)")
    .option("--label <column>", "ground truth column (in A, else B): accuracy or MAE and the loss test")
    .option(
      "--min-agreement <share>",
      "agreement below this is critical (default: shadow.min_agreement, else 0.9)",
      share,
    )
    .addOption(new Option("--format <format>", "output format").choices(["json", "table"]).default("json"))
    .addOption(
      new Option("--fail-on <level>", "exit 1 when the overall status reaches this level").choices([
        "warning",
        "critical",
      ]),
    )
    .option(
      "--fail-on-insufficient",
      "exit 1 when fewer than min_samples rows pair (status insufficient_data)",
    );
  addBatchFlags(cmd).action(async (opts: CompareOptions) => {
    // implementations load when their command runs: `--help` stays fast
    const { compareAction } = await import("./actions/compare.js");
    await compareAction(opts);
  });
}
