// The reference profiles the manifests carry (ConfigMap data, the chart's files/profiles.yaml):
// model name → the profile's JSON text, at most what one ConfigMap holds.
import { readFileSync } from "node:fs";
import type { Config } from "../../config/model.js";
import { DeployError } from "./agentConfig.js";

/** A ConfigMap holds at most 1 MiB; leave room for infermon.yaml. */
const MAX_PROFILE_BYTES = 900 * 1024;

export function readProfiles(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const m of config.models) {
    if (!m.reference) continue;
    let text: string;
    try {
      text = readFileSync(m.reference, "utf8");
    } catch (err) {
      throw new DeployError(
        `model "${m.name}": reference profile ${m.reference}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    bytes += Buffer.byteLength(text);
    out[m.name] = text;
  }
  if (bytes > MAX_PROFILE_BYTES)
    throw new DeployError(
      `the reference profiles are ${Math.round(bytes / 1024)} KiB together, too large for a ConfigMap (1 MiB): mount them from a volume instead (docs/deploy.md)`,
    );
  return out;
}
