// `infermon validate`: options in ../validateCommand.ts.
import { loadWebConfigs } from "../../auth/webConfigs.js";
import { ConfigError, type ConfigIssue } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { kafkaSecurity } from "../../kafka/kafkaSecurity.js";
import { loadLayout } from "../../monitor/loadProfiles.js";

export function validateAction(opts: { config: string }): void {
  const config = loadConfig(opts.config);
  // what `run` would refuse at start: every reference profile exists, parses and fits its model
  const issues: ConfigIssue[] = [];
  config.models.forEach((m, i) => {
    try {
      loadLayout(m);
    } catch (err) {
      issues.push({ path: `models[${i}].reference`, message: (err as Error).message });
    }
  });
  // the web configs (TLS files loaded, hashes checked) and Kafka's SASL/TLS files, as `run` reads them
  for (const check of [
    () => loadWebConfigs(config),
    () => config.kafka && kafkaSecurity(config.kafka, opts.config),
  ])
    try {
      check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  if (issues.length > 0) throw new ConfigError(opts.config, issues);
  const features = config.models.reduce((n, m) => n + m.features.length, 0);
  const references = config.models.filter((m) => m.reference).length;
  process.stdout.write(
    `${opts.config}: ok (${config.models.length} models, ${features} features), ${references} reference profiles read\n`,
  );
}
