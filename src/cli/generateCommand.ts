import type { Command } from "commander";

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description("write dashboards/, alerts/, slo/ and deploy/kubernetes/ derived from the configuration")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .option("-o, --output <dir>", "output directory", ".")
    .action(async (opts: { config: string; output: string }) => {
      // implementations load when their command runs: `--help` stays fast
      const { generateAction } = await import("./actions/generate.js");
      generateAction(opts);
    });
}
