// The agent's web configs: ingest.web_config_file and metrics.web_config_file, loaded (and checked)
// once at start; `infermon validate` checks them the same way, TLS files included.

import { ConfigError } from "../config/errors.js";
import type { Config } from "../config/model.js";
import { tlsServerOptions } from "./tlsOptions.js";
import { loadWebConfig, type WebConfig } from "./webConfig.js";

export interface WebConfigs {
  ingest?: WebConfig;
  metrics?: WebConfig;
}

/** Both web configs, their TLS files loaded once to check them; a ConfigError naming the key. */
export function loadWebConfigs(config: Config): WebConfigs {
  const out: WebConfigs = {};
  const ingest = config.ingest?.webConfigFile;
  const metrics = config.metrics.webConfigFile;
  if (ingest) out.ingest = checked(ingest, "ingest.web_config_file");
  if (metrics) out.metrics = checked(metrics, "metrics.web_config_file");
  return out;
}

function checked(file: string, key: string): WebConfig {
  const c = loadWebConfig(file, key);
  if (c.tls)
    try {
      tlsServerOptions(c.tls);
    } catch (err) {
      throw new ConfigError(c.file, [{ path: `${key}: tls_server_config`, message: (err as Error).message }]);
    }
  return c;
}
