import type { Command } from "commander";

export function registerProfile(program: Command): void {
  const profile = program.command("profile").description("work with reference profiles");
  profile
    .command("merge")
    .description(
      "add up profiles of parts of a data set counted into the same bins (days, partitions, Spark tasks)",
    )
    .argument("<profiles...>", "profiles from `infermon baseline` (the first fixes the bins)")
    .requiredOption("-o, --output <file>", "where to write the merged profile (JSON)")
    .action(async (files: string[], opts: { output: string }) => {
      // implementations load when their command runs: `--help` stays fast
      const { profileMergeAction } = await import("./actions/profileMerge.js");
      profileMergeAction(files, opts);
    });
}
