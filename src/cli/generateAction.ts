// `infermon generate`'s work, loaded by the command when it runs (src/cli/generateCommand.ts).
import { withLearnedLevels } from "../batch/learnedLevels.js";
import { loadConfig } from "../config/load.js";
import { DeployError } from "../generate/deploy/agentConfig.js";
import { generate, NothingGeneratedError } from "../generate/pipeline.js";
import { validateForGenerate } from "../generate/validate.js";
import {
  ForeignFileError,
  GENERATED_ROOTS,
  WriteError,
  type WriteResult,
  writeArtifacts,
} from "../generate/write.js";
import { EXIT } from "./exitCodes.js";
import { UsageError } from "./usageError.js";

export interface GenerateOptions {
  config: string;
  output: string;
  prune?: boolean;
}

export function runGenerate(opts: GenerateOptions): void {
  const loaded = loadConfig(opts.config);
  // configuration errors first: they say more than a missing profile would
  validateForGenerate(loaded);
  const config = withLearnedLevels(loaded);
  let files: Map<string, string>;
  try {
    files = generate(config, { source: opts.config });
  } catch (err) {
    if (err instanceof NothingGeneratedError || err instanceof DeployError) throw new UsageError(err.message);
    throw err;
  }
  let result: WriteResult;
  try {
    result = writeArtifacts(opts.output, files, { prune: opts.prune === true });
  } catch (err) {
    if (err instanceof ForeignFileError) throw new UsageError(err.message);
    if (!(err instanceof WriteError)) throw err;
    process.stderr.write(`infermon: ${err.message}\n`);
    process.exitCode = EXIT.runtime;
    return;
  }
  process.stdout.write(summary(opts.output, files, result));
  if (result.staleKept.length > 0) {
    process.stderr.write(
      [
        `infermon: ${result.staleKept.length} generated file(s) this configuration no longer produces were kept; --prune removes them:`,
        ...result.staleKept.map((p) => `  ${p}`),
        "",
      ].join("\n"),
    );
  }
}

function summary(outDir: string, files: ReadonlyMap<string, string>, r: WriteResult): string {
  const counts = new Map<string, number>();
  for (const path of files.keys()) {
    const root = GENERATED_ROOTS.find((x) => path.startsWith(`${x}/`)) ?? path;
    counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  const lines = [
    `wrote ${files.size} files to ${outDir} (${r.written.length} changed, ${r.unchanged.length} unchanged${r.removed.length > 0 ? `, ${r.removed.length} stale removed` : ""})`,
    ...[...counts].sort().map(([root, n]) => `  ${root}/: ${n} files`),
    ...r.removed.map((p) => `  removed ${p}`),
  ];
  return `${lines.join("\n")}\n`;
}
