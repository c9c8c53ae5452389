// Flags `baseline` and `drift` share: the input format and the engine's limits.
import { type Command, InvalidArgumentError, Option } from "commander";
import type { BatchOptions } from "../batch/batchOptions.js";
import { INPUT_FORMATS, type InputFormat } from "../batch/inputFormat.js";

export interface BatchFlags {
  formatIn?: InputFormat;
  memoryLimit: string;
  threads?: number;
  strict?: boolean;
}

const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return n;
};

export function addBatchFlags(cmd: Command, strictToo = ""): Command {
  return cmd
    .addOption(
      new Option(
        "--format-in <format>",
        "read data as this format instead of going by the extension",
      ).choices(INPUT_FORMATS),
    )
    .option(
      "--memory-limit <size>",
      "memory the data engine (DuckDB) may use before spilling to a temporary directory",
      "512MB",
    )
    .option("--threads <n>", "engine threads (default: all cores)", positiveInt("--threads"))
    .option("--strict", `stop at the first malformed line instead of skipping it${strictToo}`);
}

export const positiveInteger = positiveInt;

export function batchOptions(f: BatchFlags): BatchOptions {
  return {
    strict: f.strict ?? false,
    memoryLimit: f.memoryLimit,
    ...(f.formatIn && { formatIn: f.formatIn }),
    ...(f.threads !== undefined && { threads: f.threads }),
  };
}
