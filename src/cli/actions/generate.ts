// `infermon generate`: options in ../generateCommand.ts.
import { withLearnedLevels } from "../../batch/learnedLevels.js";
import { loadConfig } from "../../config/load.js";
import { generate, NothingGeneratedError } from "../../generate/pipeline.js";
import { validateForGenerate } from "../../generate/validate.js";
import { WriteError, writeArtifacts } from "../../generate/write.js";
import { EXIT } from "../exitCodes.js";
import { UsageError } from "../usageError.js";

export function generateAction(opts: { config: string; output: string }): void {
  const loaded = loadConfig(opts.config);
  // configuration errors first: they say more than a missing profile would
  validateForGenerate(loaded);
  const config = withLearnedLevels(loaded);
  let files: Map<string, string>;
  try {
    files = generate(config, { source: opts.config });
  } catch (err) {
    if (err instanceof NothingGeneratedError) throw new UsageError(err.message);
    throw err;
  }
  let roots: string[];
  try {
    roots = writeArtifacts(opts.output, files);
  } catch (err) {
    if (!(err instanceof WriteError)) throw err;
    process.stderr.write(`infermon: ${err.message}\n`);
    process.exitCode = EXIT.runtime;
    return;
  }
  const counts = new Map<string, number>();
  for (const path of files.keys()) {
    const root = roots.find((r) => path.startsWith(`${r}/`)) ?? path;
    counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  const summary = [...counts].map(([root, n]) => `  ${root}/: ${n} files`).join("\n");
  process.stdout.write(`wrote ${files.size} files to ${opts.output}\n${summary}\n`);
}
