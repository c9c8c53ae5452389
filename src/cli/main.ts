#!/usr/bin/env node
// The CLI's entry point. Commands register their options here; each command's implementation
// (the agent, the OpenTelemetry SDK, the generators, DuckDB) loads only when that command runs, so
// `--help` and usage errors answer at once (test/e2e/lazyDuckdb.test.ts checks the static graph).
import { Command, CommanderError } from "commander";
import { DataFileError } from "../batch/dataFileError.js";
import { BatchEngineMissingError } from "../batch/engineMissing.js";
import { ConfigError } from "../config/errors.js";
import { ListenError } from "../export/listen.js";
import { redactUrls } from "../export/redact.js";
import { ProfileError } from "../stats/profileError.js";
import { registerBaseline } from "./baselineCommand.js";
import { registerCompare } from "./compareCommand.js";
import { registerDemo } from "./demoCommand.js";
import { registerDrift } from "./driftCommand.js";
import { EXIT } from "./exitCodes.js";
import { registerGenerate } from "./generateCommand.js";
import { registerProfile } from "./profileCommand.js";
import { registerRoutesTest } from "./routesTestCommand.js";
import { registerRun } from "./runCommand.js";
import { UsageError } from "./usageError.js";
import { registerValidate } from "./validateCommand.js";
import { VERSION } from "./version.js";

// Whatever a command writes to stderr (errors, warnings, skipped lines naming a data path) loses
// the secrets of any URL in it: a presigned `?X-Amz-Signature=`, a `user:password@` (redact.ts)
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  writeStderr(typeof chunk === "string" ? redactUrls(chunk) : chunk, ...rest)) as typeof process.stderr.write;

const program = new Command()
  .name("infermon")
  .description(
    "Model-monitoring agent: drift, predictions and quality of ML inference, and the monitoring-as-code that matches it",
  )
  .version(VERSION)
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

registerValidate(program);
registerRun(program);
registerBaseline(program);
registerDrift(program);
registerCompare(program);
registerProfile(program);
registerGenerate(program);
registerRoutesTest(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (
    err instanceof ConfigError ||
    err instanceof UsageError ||
    err instanceof DataFileError ||
    err instanceof ProfileError
  ) {
    process.stderr.write(`infermon: ${redactUrls(err.message)}\n`);
    return EXIT.usage;
  }
  if (err instanceof ListenError || err instanceof BatchEngineMissingError) {
    // an expected failure at run time (a port in use): the message says it all, no stack trace
    process.stderr.write(`infermon: ${redactUrls(err.message)}\n`);
    return EXIT.runtime;
  }
  // an unexpected failure keeps its stack, never the secrets of a URL in it
  process.stderr.write(`infermon: ${redactUrls((err as Error)?.stack ?? String(err))}\n`);
  return EXIT.runtime;
}
