import type { Command } from "commander";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check a configuration file and the reference profiles it names; exit 2 with one line per problem",
    )
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .action(async (opts: { config: string }) => {
      // implementations load when their command runs: `--help` stays fast
      const { validateAction } = await import("./actions/validate.js");
      validateAction(opts);
    });
}
