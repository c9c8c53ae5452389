// What every generated agent workload shares: names, labels, ports, the `infermon` container
// (restricted securityContext, probes, resources from the benchmarks), the pod's volumes and the
// termination grace that covers the agent's drain. Typed with kubernetes-models; each workload
// validates against the Kubernetes schema when generated.
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import { VERSION } from "../../cli/version.js";
import type { Config } from "../../config/model.js";
import { AGENT_POD_LABEL, type AgentMode } from "../conventions.js";

/** The agent's container name in every mode (Loki's `{container="infermon"}`). */
export const AGENT_CONTAINER = "infermon";
/** Ports inside the pod; names unique to infermon (≤ 15 characters) so a PodMonitor or Service
 * selecting them never picks the model container's own `metrics` or `http` port. */
export const PORTS = {
  tap: { name: "infermon-tap", port: 8080 },
  ingest: { name: "infermon-ingest", port: 8081 },
  metrics: { name: "infermon-metric", port: 9464 },
} as const;
/** Where the ConfigMap (infermon.yaml and each model's reference profile, <model>.json) is mounted. */
export const CONFIG_DIR = "/etc/infermon";
export const PROFILES_DIR = CONFIG_DIR;
/** The image's non-root user (deploy/Dockerfile: USER 1000:1000). */
export const IMAGE_USER = 1000;
/** `infermon run --grace`: how long SIGTERM waits for in-flight requests. */
export const AGENT_GRACE_SECONDS = 10;
/**
 * The agent's whole drain after SIGTERM (src/cli/agent.ts stop()): in-flight requests (--grace),
 * up to 2 s for queued analysis, up to 2 s to flush the forwarder / Kafka producer, up to 5 s for
 * spans; rounded up.
 */
export const AGENT_DRAIN_SECONDS = AGENT_GRACE_SECONDS + 2 + 2 + 5 + 1;

/** A pod role: the three deploy modes, and the join tier (an aggregator that only joins). */
export type Role = AgentMode | "join";
export const ROLE_MODE: Record<Role, AgentMode> = {
  sidecar: "sidecar",
  daemonset: "daemonset",
  aggregator: "aggregator",
  join: "aggregator",
};
/** Object names per role (the sidecar's pod is the model's own). */
export const ROLE_NAME: Record<Exclude<Role, "sidecar">, string> = {
  daemonset: "infermon-node",
  aggregator: "infermon-aggregator",
  join: "infermon-join",
};

export const agentImage = (config: Config): string =>
  config.deploy.image ?? `ghcr.io/infermon/infermon:${VERSION}`;

/** Labels on every generated object. */
export function commonLabels(config: Config, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "infermon",
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": config.service.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 63),
    "app.kubernetes.io/managed-by": "infermon-generate",
  };
}

/** The labels that select a role's agent pods (stable: part of Deployment selectors). */
export function roleSelector(role: Exclude<Role, "sidecar">): Record<string, string> {
  return { [AGENT_POD_LABEL]: ROLE_MODE[role], "app.kubernetes.io/component": role };
}

/** Memory the join needs: the benchmarked bound per pending entry (≤ 256 B, ADR 0010) for every
 * model's max_pending, plus the process's base (~64 MiB); in MiB, rounded up to 32. */
export function joinMemoryMiB(config: Config): number {
  const pending = config.models.reduce((n, m) => n + m.labels.maxPending, 0);
  const mib = 64 + (pending * 256) / (1024 * 1024);
  return Math.ceil(mib / 32) * 32;
}

/**
 * Requests and limits from bench/README.md: a tapping sidecar held ≤ 124 MB RSS at 1000 req/s and
 * used a fraction of a core; no CPU limit below a core, so throttling never stalls the proxied
 * request path. Analysis-only agents use less CPU per event (no proxying).
 */
export function resources(config: Config, role: Role): IContainer["resources"] {
  if (role === "join") {
    const mib = joinMemoryMiB(config);
    return { requests: { cpu: "100m", memory: `${mib}Mi` }, limits: { cpu: "1", memory: `${mib * 2}Mi` } };
  }
  const cpu = role === "aggregator" ? "250m" : "100m";
  return { requests: { cpu, memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } };
}

/** The restricted Pod Security Standard, at pod level. */
export const POD_SECURITY: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: IMAGE_USER,
  runAsGroup: IMAGE_USER,
  seccompProfile: { type: "RuntimeDefault" },
};

export const CONTAINER_SECURITY: IContainer["securityContext"] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

/**
 * Secrets the user creates for the listeners' and the forwarders' credentials, mounted beside the
 * ConfigMap (not inside its read-only mount): the join's ingest web config with the certificates it
 * names relative to itself, and forward:'s password, token and TLS files (docs/deploy.md).
 */
export const SECRET_MOUNTS = {
  ingestWeb: {
    volume: "infermon-ingest-web",
    secret: "infermon-ingest-web",
    dir: "/etc/infermon-ingest-web",
  },
  forward: { volume: "infermon-forward", secret: "infermon-forward", dir: "/etc/infermon-forward" },
} as const;
export type SecretMount = keyof typeof SECRET_MOUNTS;

export const agentVolumes = (configMap: string, secrets: readonly SecretMount[] = []): IVolume[] => [
  { name: "infermon-config", configMap: { name: configMap } },
  { name: "infermon-tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
  // a missing Secret keeps the pod pending with an event naming it, rather than starting it open
  ...secrets.map((k) => ({
    name: SECRET_MOUNTS[k].volume,
    secret: { secretName: SECRET_MOUNTS[k].secret, defaultMode: 0o440 },
  })),
];

/**
 * The `infermon` container of a role. /healthz answers while the process runs (liveness);
 * /readyz only once every listener is open, and not while a Kafka consumer is away (readiness);
 * the startup probe gives a slow node a minute before liveness counts.
 */
export function agentContainer(config: Config, role: Role, secrets: readonly SecretMount[] = []): IContainer {
  const probe = (path: string, failureThreshold: number, periodSeconds: number) => ({
    httpGet: { path, port: PORTS.metrics.name },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  const ports = [...(role === "sidecar" ? [PORTS.tap] : [PORTS.ingest]), PORTS.metrics].map((p) => ({
    name: p.name,
    containerPort: p.port,
    protocol: "TCP" as const,
  }));
  return {
    name: AGENT_CONTAINER,
    image: agentImage(config),
    imagePullPolicy: "IfNotPresent",
    args: ["run", "-c", `${CONFIG_DIR}/infermon.yaml`, "--grace", `${AGENT_GRACE_SECONDS}s`],
    ports,
    // the spans' resource names the pod, namespace and node (docs/tracing.md)
    env: [
      { name: "K8S_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "K8S_NAMESPACE_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ],
    startupProbe: probe("/readyz", 30, 2),
    readinessProbe: probe("/readyz", 3, 5),
    livenessProbe: probe("/healthz", 3, 10),
    resources: resources(config, role),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [
      { name: "infermon-config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "infermon-tmp", mountPath: "/tmp" },
      ...secrets.map((k) => ({
        name: SECRET_MOUNTS[k].volume,
        mountPath: SECRET_MOUNTS[k].dir,
        readOnly: true,
      })),
    ],
  };
}
