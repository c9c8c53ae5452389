import type { Command } from "commander";
import { loadConfig } from "../config/load.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a configuration file; exit 2 with one line per bad key")
    .requiredOption("-c, --config <file>", "configuration file (infermon.yaml)")
    .action((opts: { config: string }) => {
      const config = loadConfig(opts.config);
      const features = config.models.reduce((n, m) => n + m.features.length, 0);
      process.stdout.write(`${opts.config}: ok (${config.models.length} models, ${features} features)\n`);
    });
}
