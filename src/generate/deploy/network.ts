// How traffic reaches the agents and how their tiers scale: Services (the sidecar's in front of the
// tap; node-local for the DaemonSet), NetworkPolicies admitting only the payload loggers, the
// agents and label producers, and the Prometheus scraper; PodDisruptionBudgets; an HPA on CPU for
// the aggregator and, with Kafka, a KEDA ScaledObject on the join's consumer lag.
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Service } from "kubernetes-models/v1/Service";
import type { Config } from "../../config/model.js";
import { AGENT_POD_LABEL, MODEL_POD_LABEL } from "../conventions.js";
import { commonLabels, PORTS, ROLE_NAME, type Role, roleSelector } from "./common.js";
import { modelName } from "./workloads.js";

/** Pods that may send labels to the join (label producers opt in with this label). */
export const LABEL_PRODUCER_LABEL = "infermon.io/label-producer";
/** Pods that may send events to an aggregator or node agent besides KServe's and Seldon's loggers. */
export const EVENT_SENDER_LABEL = "infermon.io/event-sender";

/** The sidecar example's Service: clients reach the model through the tap. */
export function modelService(config: Config): Service {
  const name = modelName(config);
  const s = new Service({
    metadata: {
      name,
      namespace: config.deploy.namespace,
      labels: { ...commonLabels(config, "model"), "app.kubernetes.io/name": name },
    },
    spec: {
      selector: { "app.kubernetes.io/name": name, [MODEL_POD_LABEL]: config.models[0]?.name ?? name },
      ports: [{ name: "http", port: 80, targetPort: PORTS.tap.name, protocol: "TCP" }],
    },
  });
  s.validate();
  return s;
}

/** A tier's Service on its ingest; the DaemonSet's keeps traffic on the sender's node. */
export function agentService(config: Config, role: Exclude<Role, "sidecar">): Service {
  const s = new Service({
    metadata: {
      name: ROLE_NAME[role],
      namespace: config.deploy.namespace,
      labels: commonLabels(config, role),
    },
    spec: {
      selector: roleSelector(role),
      ports: [{ name: "ingest", port: PORTS.ingest.port, targetPort: PORTS.ingest.name, protocol: "TCP" }],
      ...(role === "daemonset" && { internalTrafficPolicy: "Local" }),
    },
  });
  s.validate();
  return s;
}

const anyNamespace = (matchExpressionsKey: string, value?: string): INetworkPolicyPeer => ({
  namespaceSelector: {},
  podSelector: value
    ? { matchLabels: { [matchExpressionsKey]: value } }
    : { matchExpressions: [{ key: matchExpressionsKey, operator: "Exists" }] },
});

/** kube-prometheus-stack's Prometheus pods, in the monitoring namespace. */
const scraper = (config: Config): INetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": config.deploy.monitoring.namespace } },
  podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
});

/** KServe's and Seldon's payload loggers (in the model's pod), and pods that opt in. */
const loggers: INetworkPolicyPeer[] = [
  anyNamespace("serving.kserve.io/inferenceservice"),
  anyNamespace("seldon-deployment-id"),
  anyNamespace(EVENT_SENDER_LABEL, "true"),
];

export function networkPolicy(config: Config, role: Exclude<Role, "sidecar">): NetworkPolicy {
  const senders =
    role === "join" ? [anyNamespace(AGENT_POD_LABEL), anyNamespace(LABEL_PRODUCER_LABEL, "true")] : loggers;
  const n = new NetworkPolicy({
    metadata: {
      name: ROLE_NAME[role],
      namespace: config.deploy.namespace,
      labels: commonLabels(config, role),
    },
    spec: {
      podSelector: { matchLabels: roleSelector(role) },
      policyTypes: ["Ingress"],
      ingress: [
        { from: senders, ports: [{ port: PORTS.ingest.name, protocol: "TCP" }] },
        { from: [scraper(config)], ports: [{ port: PORTS.metrics.name, protocol: "TCP" }] },
      ],
    },
  });
  n.validate();
  return n;
}

/** Voluntary disruptions (drains, upgrades) keep a tier serving: one pod at a time. */
export function disruptionBudget(config: Config, role: "aggregator" | "join"): PodDisruptionBudget {
  const p = new PodDisruptionBudget({
    metadata: {
      name: ROLE_NAME[role],
      namespace: config.deploy.namespace,
      labels: commonLabels(config, role),
    },
    spec: {
      // the single join (without Kafka) may be evicted: a drain must not hang on it
      ...(role === "join" && config.kafka === undefined ? { maxUnavailable: 1 } : { minAvailable: 1 }),
      selector: { matchLabels: roleSelector(role) },
    },
  });
  p.validate();
  return p;
}

/** The aggregator's analysis is stateless per event: more replicas share it; CPU says when. */
export function aggregatorAutoscaler(config: Config): HorizontalPodAutoscaler {
  const h = new HorizontalPodAutoscaler({
    metadata: {
      name: ROLE_NAME.aggregator,
      namespace: config.deploy.namespace,
      labels: commonLabels(config, "aggregator"),
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: ROLE_NAME.aggregator },
      minReplicas: config.deploy.aggregator.minReplicas,
      maxReplicas: config.deploy.aggregator.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  });
  h.validate();
  return h;
}

/** With Kafka the join is a consumer group: KEDA adds members while the predictions topic lags. */
export function joinScaledObject(config: Config): ScaledObject | undefined {
  const k = config.kafka;
  if (!k?.topics.predictions) return undefined;
  const s = new ScaledObject({
    metadata: {
      name: ROLE_NAME.join,
      namespace: config.deploy.namespace,
      labels: commonLabels(config, "join"),
    },
    spec: {
      scaleTargetRef: { name: ROLE_NAME.join },
      minReplicaCount: 1,
      maxReplicaCount: config.deploy.aggregator.maxReplicas,
      cooldownPeriod: 300,
      triggers: [
        {
          type: "kafka",
          metadata: {
            bootstrapServers: k.brokers.join(","),
            consumerGroup: k.groupId,
            topic: k.topics.predictions,
            lagThreshold: "10000",
            // never more members than partitions: the extra ones would sit idle
            allowIdleConsumers: "false",
          },
        },
      ],
    },
  });
  s.validate();
  return s;
}
