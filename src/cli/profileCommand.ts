import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Profile, ProfileError, parseProfile } from "../stats/profile.js";
import { mergeProfiles } from "../stats/profileMerge.js";

/** A profile file, checked; errors name the file. */
export function readProfileFile(file: string): Profile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseProfile(doc);
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as Error).message}`);
  }
}

export function registerProfile(program: Command): void {
  const profile = program.command("profile").description("work with reference profiles");
  profile
    .command("merge")
    .description(
      "add up profiles of parts of a data set counted into the same bins (days, partitions, Spark tasks)",
    )
    .argument("<profiles...>", "profiles from `infermon baseline` (the first fixes the bins)")
    .requiredOption("-o, --output <file>", "where to write the merged profile (JSON)")
    .action((files: string[], opts: { output: string }) => {
      const merged = mergeProfiles(files.map(readProfileFile));
      const tmp = `${opts.output}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
      renameSync(tmp, opts.output);
      process.stderr.write(`${opts.output}: ${merged.rows} rows from ${files.length} profiles\n`);
    });
}
