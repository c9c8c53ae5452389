// The agent workloads: the sidecar example (the model's Deployment with infermon as a native
// sidecar in front of it), the DaemonSet of node agents, the aggregator Deployment (analysis of
// payload loggers' events, scaled by CPU) and the join Deployment (the one place predictions meet
// their labels without Kafka). Every pod carries infermon.io/agent=<mode>.

import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { Config } from "../../config/model.js";
import { AGENT_POD_LABEL, MODEL_POD_LABEL } from "../conventions.js";
import { configData, forwardSecrets, joinWebConfig, modelPort, type TopologyOptions } from "./agentConfig.js";
import {
  AGENT_DRAIN_SECONDS,
  agentContainer,
  agentVolumes,
  CONTAINER_SECURITY,
  commonLabels,
  POD_SECURITY,
  ROLE_NAME,
  type Role,
  roleSelector,
  type SecretMount,
} from "./common.js";

/** The sidecar example's model: its Deployment, Service and ConfigMap are named so. */
export const modelName = (config: Config): string =>
  `${config.service}-model`.replace(/[^a-z0-9-]/g, "-").slice(0, 52);
/** How long the example model drains in-flight requests after SIGTERM (its server's own grace). */
const MODEL_DRAIN_SECONDS = 30;
/** The model container waits this long before SIGTERM, while endpoints stop sending it traffic. */
const PRE_STOP_SECONDS = 5;

export const configMapName = (config: Config, role: Role): string =>
  role === "sidecar" ? `${modelName(config)}-infermon` : ROLE_NAME[role];

export function configMap(config: Config, role: Role, t: TopologyOptions): ConfigMap {
  const c = new ConfigMap({
    metadata: {
      name: configMapName(config, role),
      namespace: config.deploy.namespace,
      labels: commonLabels(config, role),
    },
    data: configData(config, role, t),
  });
  c.validate();
  return c;
}

/** The Secrets a role's agent mounts: the join's ingest web config, the forwarders' credentials. */
export function roleSecrets(config: Config, role: Role, t: TopologyOptions): SecretMount[] {
  const out: SecretMount[] = [];
  if (role === "join" && joinWebConfig(config)) out.push("ingestWeb");
  if (role !== "join" && t.joins && !config.kafka && forwardSecrets(config)) out.push("forward");
  return out;
}

function podSpec(
  config: Config,
  role: Role,
  secrets: readonly SecretMount[],
  extra: Partial<IPodSpec> = {},
): IPodSpec {
  return {
    securityContext: POD_SECURITY,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: AGENT_DRAIN_SECONDS + 10,
    containers: [agentContainer(config, role, secrets)],
    volumes: agentVolumes(configMapName(config, role), secrets),
    ...extra,
  };
}

/**
 * The model's own Deployment with infermon as a native sidecar (an init container that keeps
 * running, Kubernetes ≥ 1.29): it starts and is ready before the model, so no request reaches the
 * pod before the tap serves; at shutdown it outlives the model, so requests already proxied
 * finish and the last analysed predictions are forwarded. The model waits PRE_STOP_SECONDS first
 * while endpoints stop sending traffic; the grace covers that, the model's drain and the agent's.
 */
export function sidecarDeployment(config: Config, t: TopologyOptions): Deployment {
  const secrets = roleSecrets(config, "sidecar", t);
  const name = modelName(config);
  const selector = { "app.kubernetes.io/name": name, [MODEL_POD_LABEL]: config.models[0]?.name ?? name };
  const agent = agentContainer(config, "sidecar", secrets);
  const d = new Deployment({
    metadata: {
      name,
      namespace: config.deploy.namespace,
      labels: { ...commonLabels(config, "model"), "app.kubernetes.io/name": name },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, [AGENT_POD_LABEL]: "sidecar" } },
        spec: podSpec(config, "sidecar", secrets, {
          terminationGracePeriodSeconds: PRE_STOP_SECONDS + MODEL_DRAIN_SECONDS + AGENT_DRAIN_SECONDS,
          initContainers: [{ ...agent, restartPolicy: "Always" }],
          containers: [
            {
              name: "model",
              image: config.deploy.model.image,
              ports: [{ name: "model-http", containerPort: modelPort(config), protocol: "TCP" }],
              env: [{ name: "MLSERVER_HTTP_PORT", value: String(modelPort(config)) }],
              readinessProbe: {
                httpGet: { path: "/v2/health/ready", port: "model-http" },
                periodSeconds: 5,
              },
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
              resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "1Gi" } },
              securityContext: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: false },
            },
          ],
        }),
      },
    },
  });
  d.validate();
  return d;
}

/** Node agents: payload loggers on the node send to the agent of their own node. */
export function nodeDaemonSet(config: Config, t: TopologyOptions): DaemonSet {
  const d = new DaemonSet({
    metadata: {
      name: ROLE_NAME.daemonset,
      namespace: config.deploy.namespace,
      labels: commonLabels(config, "daemonset"),
    },
    spec: {
      selector: { matchLabels: roleSelector("daemonset") },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { ...commonLabels(config, "daemonset"), ...roleSelector("daemonset") } },
        spec: podSpec(config, "daemonset", roleSecrets(config, "daemonset", t)),
      },
    },
  });
  d.validate();
  return d;
}

/** The aggregator (analysis of payload loggers' events) and the join (labels meet predictions). */
export function agentDeployment(config: Config, role: "aggregator" | "join", t: TopologyOptions): Deployment {
  const kafka = config.kafka !== undefined;
  // without Kafka the join is one process: a second replica would hold half the predictions
  const replicas = role === "aggregator" ? config.deploy.aggregator.minReplicas : 1;
  const d = new Deployment({
    metadata: {
      name: ROLE_NAME[role],
      namespace: config.deploy.namespace,
      labels: commonLabels(config, role),
    },
    spec: {
      replicas,
      selector: { matchLabels: roleSelector(role) },
      // a join replaced in place: the old one stops before the new one takes labels
      strategy: role === "join" && !kafka ? { type: "Recreate" } : { type: "RollingUpdate" },
      template: {
        metadata: { labels: { ...commonLabels(config, role), ...roleSelector(role) } },
        spec: podSpec(config, role, roleSecrets(config, role, t), {
          // spread replicas over nodes so one node's loss is not the whole tier
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: roleSelector(role) },
            },
          ],
        }),
      },
    },
  });
  d.validate();
  return d;
}
