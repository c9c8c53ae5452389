import type { Command } from "commander";
import { parseDuration } from "../config/duration.js";
import { loadConfig } from "../config/load.js";
import { ProfileError } from "../stats/profile.js";
import { Agent } from "./agent.js";
import { UsageError } from "./usageError.js";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("the agent: tap and/or ingest as configured, metrics on metrics.listen")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .option("--grace <duration>", "how long SIGTERM waits for in-flight requests", "10s")
    .action(async (opts: { config: string; grace: string }) => {
      const graceMs = parseDuration(opts.grace);
      if (graceMs === undefined) throw new UsageError(`--grace: not a duration: ${opts.grace}`);
      const config = loadConfig(opts.config);
      if (!config.tap && !config.ingest)
        throw new UsageError(`${opts.config}: nothing to run: configure tap: and/or ingest:`);
      let agent: Agent;
      try {
        agent = new Agent(config);
      } catch (err) {
        if (err instanceof ProfileError) throw new UsageError(err.message);
        throw err;
      }
      const addr = await agent.start();
      const where = (a?: { address: string; port: number }) => (a ? `${a.address}:${a.port}` : "off");
      process.stderr.write(
        `infermon ${config.service}: tap ${where(addr.tap)}, ingest ${where(addr.ingest)}, metrics ${where(addr.metrics)}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`infermon: ${signal}: draining (grace ${opts.grace})\n`);
          agent.stop(graceMs).then(resolve, resolve);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
    });
}
