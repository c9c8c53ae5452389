// The infermon.yaml each role runs with, derived from the configuration as the user wrote it (so
// every key they set — models, windows, thresholds, logging, tracing, keys added later — reaches
// the agents unchanged) with only what the topology decides replaced: listeners on the pod's ports,
// the sidecar's upstream on localhost, reference profiles at their mounted path, and where
// predictions go to be joined (forward: to the join tier, or Kafka when configured).
import { basename } from "node:path";
import type { Config } from "../../config/model.js";
import { toYaml } from "../rules.js";
import { PORTS, PROFILES_DIR, ROLE_NAME, type Role, SECRET_MOUNTS } from "./common.js";
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

/** The join tier's ingest, as the other agents reach it (https when forward.tls_config is set). */
export const joinUrl = (config: Config): string =>
  `${config.forward?.tls ? "https" : "http"}://${ROLE_NAME.join}.${config.deploy.namespace}.svc:${PORTS.ingest.port}`;

/** A listener's limits, kept from the user's section when the topology sets its address. */
const LISTENER_KEYS = ["read_timeout", "idle_timeout", "max_connections"] as const;
/** The file keys of forward:'s client settings (Prometheus' HTTP client config shape). */
const CLIENT_FILES: [string, string][] = [
  ["authorization", "credentials_file"],
  ["basic_auth", "password_file"],
  ["tls_config", "ca_file"],
  ["tls_config", "cert_file"],
  ["tls_config", "key_file"],
];

type Doc = Record<string, unknown>;

/**
 * The join's ingest web config (ingest.web_config_file) is read from the `infermon-ingest-web`
 * Secret; payload loggers cannot send credentials, so the aggregator and node agents keep an
 * unauthenticated ingest behind their NetworkPolicy (docs/deploy.md).
 */
export function joinWebConfig(config: Config): boolean {
  return config.ingest?.webConfigFile !== undefined;
}

/** forward:'s credentials and TLS files, read by the forwarders from the `infermon-forward` Secret. */
export function forwardSecrets(config: Config): boolean {
  const f = config.forward;
  return f !== undefined && (f.authorization ?? f.basicAuth ?? f.tls) !== undefined;
}

/** The user's forward: client keys, with their files at the Secret's mount path. */
function forwardClient(doc: Doc): Doc {
  const f = doc.forward as Doc | undefined;
  const out: Doc = {};
  if (!f) return out;
  for (const k of ["authorization", "basic_auth", "tls_config"])
    if (f[k] !== undefined) out[k] = { ...(f[k] as Doc) };
  for (const [k, file] of CLIENT_FILES) {
    const o = out[k] as Doc | undefined;
    if (typeof o?.[file] === "string")
      o[file] = `${SECRET_MOUNTS.forward.dir}/${basename(o[file] as string)}`;
  }
  return out;
}

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
  out.models = (doc.models as Record<string, unknown>[]).map((model) => {
    // a shadow replays the requests the tap forwarded: only the sidecar has a tap
    const { shadow: _, ...rest } = model;
    const m = role === "sidecar" ? model : rest;
    return m.reference === undefined ? m : { ...m, reference: `${PROFILES_DIR}/${m.name as string}.json` };
  });
  const any = `0.0.0.0`;
  if (role === "sidecar") {
    const tap = { ...((doc.tap as Record<string, unknown> | undefined) ?? {}) };
    tap.listen = `${any}:${PORTS.tap.port}`;
    tap.upstream = `http://127.0.0.1:${modelPort(config)}`;
    out.tap = tap;
  } else {
    const ingest = (doc.ingest as Doc | undefined) ?? {};
    const o: Doc = { listen: `${any}:${PORTS.ingest.port}` };
    for (const k of LISTENER_KEYS) if (ingest[k] !== undefined) o[k] = ingest[k];
    if (role === "join" && typeof ingest.web_config_file === "string")
      o.web_config_file = `${SECRET_MOUNTS.ingestWeb.dir}/${basename(ingest.web_config_file)}`;
    out.ingest = o;
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
    out.forward = { url: joinUrl(config), ...forwardClient(doc) };
  }
  return toYaml(out);
}

/** ConfigMap data: infermon.yaml and every model's reference profile (<model>.json). */
export function configData(config: Config, role: Role, t: TopologyOptions): Record<string, string> {
  const data: Record<string, string> = { "infermon.yaml": agentConfig(config, role, t) };
  for (const [name, text] of Object.entries(readProfiles(config))) data[`${name}.json`] = text;
  return data;
}
