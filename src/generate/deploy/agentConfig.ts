// The infermon.yaml each role runs with, derived from the configuration as the user wrote it (so
// every key they set — models, windows, thresholds, logging, tracing, keys added later — reaches
// the agents unchanged) with only what the topology decides replaced: listeners on the pod's ports,
// the sidecar's upstream on localhost, reference profiles at their mounted path, and where
// predictions go to be joined (forward: to the join tier, or Kafka when configured).
import type { Config } from "../../config/model.js";
import { toYaml } from "../rules.js";
import { PORTS, PROFILES_DIR, ROLE_NAME, type Role } from "./common.js";
import { readProfiles } from "./profiles.js";

/** Keys the topology sets, or that only `generate` reads. */
const REPLACED = ["deploy", "alerting", "tap", "ingest", "forward", "metrics"] as const;

export class DeployError extends Error {
  override name = "DeployError";
}

/** The model server's port in the sidecar example: deploy.model.port, else tap.upstream's. */
export function modelPort(config: Config): number {
  if (config.deploy.model.port !== undefined) return config.deploy.model.port;
  if (config.tap) {
    const u = new URL(config.tap.upstream);
    if (u.port) return Number(u.port);
    return u.protocol === "https:" ? 443 : 80;
  }
  return 8080;
}

/** The join tier's ingest, as the other agents reach it. */
export const joinUrl = (config: Config): string =>
  `http://${ROLE_NAME.join}.${config.deploy.namespace}.svc:${PORTS.ingest.port}`;

/** The aggregator's ingest (payload loggers' target). */
export const aggregatorUrl = (config: Config): string =>
  `http://${ROLE_NAME.aggregator}.${config.deploy.namespace}.svc:${PORTS.ingest.port}`;

export interface TopologyOptions {
  /** some model expects labels: predictions must reach one join */
  joins: boolean;
}

export function agentConfig(config: Config, role: Role, t: TopologyOptions): string {
  const doc = config.document;
  if (!doc) throw new DeployError(`${config.source}: generator bug: the configuration document is missing`);
  const out: Record<string, unknown> = structuredClone(doc);
  for (const k of REPLACED) delete out[k];
  out.models = (doc.models as Record<string, unknown>[]).map((m) =>
    m.reference === undefined ? m : { ...m, reference: `${PROFILES_DIR}/${m.name as string}.json` },
  );
  const any = `0.0.0.0`;
  if (role === "sidecar") {
    const tap = { ...((doc.tap as Record<string, unknown> | undefined) ?? {}) };
    tap.listen = `${any}:${PORTS.tap.port}`;
    tap.upstream = `http://127.0.0.1:${modelPort(config)}`;
    out.tap = tap;
  } else {
    out.ingest = { listen: `${any}:${PORTS.ingest.port}` };
  }
  out.metrics = { listen: `${any}:${PORTS.metrics.port}` };
  const kafka = doc.kafka as Record<string, unknown> | undefined;
  if (kafka) {
    // edge agents publish what they analysed; the join tier consumes (one consumer group)
    out.kafka = { ...kafka, publish_predictions: role !== "join" };
    if (role !== "join" && !(kafka.topics as Record<string, unknown> | undefined)?.predictions)
      throw new DeployError(
        `${config.source}: kafka.topics.predictions: required to join labels across replicas`,
      );
  } else if (t.joins && role !== "join") {
    out.forward = { url: joinUrl(config) };
  }
  return toYaml(out);
}

/** ConfigMap data: infermon.yaml and every model's reference profile (<model>.json). */
export function configData(config: Config, role: Role, t: TopologyOptions): Record<string, string> {
  const data: Record<string, string> = { "infermon.yaml": agentConfig(config, role, t) };
  for (const [name, text] of Object.entries(readProfiles(config))) data[`${name}.json`] = text;
  return data;
}
