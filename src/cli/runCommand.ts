import type { Command } from "commander";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("the agent: tap, ingest and/or Kafka as configured, metrics on metrics.listen")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .option("--grace <duration>", "how long SIGTERM waits for in-flight requests", "10s")
    .action(async (opts: { config: string; grace: string }) => {
      // implementations load when their command runs: `--help` stays fast
      const { runAction } = await import("./actions/run.js");
      await runAction(opts);
    });
}
