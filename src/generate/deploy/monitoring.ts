// What kube-prometheus-stack picks up: the PrometheusRules (the same rule groups as alerts/ and
// slo/), a PodMonitor scraping every agent pod whatever its mode, and the dashboards as ConfigMaps
// for Grafana's sidecar loader. They go to deploy.monitoring.namespace with deploy.monitoring.labels
// (e.g. `release: <helm release>`, which the stack's default selectors require) and are validated
// against the CRD schema (@kubernetes-models/prometheus-operator) when generated.
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { Config } from "../../config/model.js";
import { AGENT_JOB, AGENT_POD_LABEL, LABEL, MODEL_POD_LABEL } from "../conventions.js";
import { type RuleFile, ruleGroupsData } from "../rules.js";
import { AGENT_CONTAINER, commonLabels, PORTS } from "./common.js";

const monitoringMeta = (config: Config, name: string, component: string) => ({
  name,
  namespace: config.deploy.monitoring.namespace,
  labels: { ...commonLabels(config, component), ...config.deploy.monitoring.labels },
});

/** `alerts/drift.rules.yaml` → `infermon-drift`, `slo/credit.rules.yaml` → `infermon-slo-credit` */
export const ruleObjectName = (path: string): string =>
  `infermon-${path
    .replace(/\.rules\.yaml$/, "")
    .replace(/^alerts\//, "")
    .replace(/\//g, "-")}`;

export function prometheusRule(config: Config, file: RuleFile): PrometheusRule {
  const rule = new PrometheusRule({
    metadata: monitoringMeta(config, ruleObjectName(file.path), "rules"),
    spec: { groups: ruleGroupsData(file.groups) as never },
  });
  rule.validate();
  return rule;
}

/** Pod label → the `__meta_kubernetes_pod_label_…` name Prometheus gives it. */
const metaLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

export function podMonitor(config: Config): PodMonitor {
  const m = new PodMonitor({
    metadata: monitoringMeta(config, "infermon", "monitoring"),
    spec: {
      // every agent pod in any namespace (sidecars live in their models' namespaces); its own
      // label key, never the model pod's app.kubernetes.io/name
      selector: { matchExpressions: [{ key: AGENT_POD_LABEL, operator: "Exists" }] },
      namespaceSelector: { any: true },
      podMetricsEndpoints: [
        {
          port: PORTS.metrics.name,
          path: "/metrics",
          interval: "30s",
          // the agent's own `model` labels win over the target's (no `exported_model`), while
          // `up` and agent-wide series get the target's: InfermonAgentDown then names the model
          honorLabels: true,
          relabelings: [
            // only the infermon container, whatever ports the model's containers name
            {
              action: "keep",
              sourceLabels: ["__meta_kubernetes_pod_container_name"],
              regex: AGENT_CONTAINER,
            },
            // the generated rules and dashboards select up{job="infermon"}
            { action: "replace", targetLabel: "job", replacement: AGENT_JOB },
            // a pod labelled infermon.io/model=<name> is that model's agent (no label: none)
            { action: "replace", sourceLabels: [metaLabel(MODEL_POD_LABEL)], targetLabel: LABEL.model },
            // the deploy mode, to tell sidecars, node agents, aggregators and the join apart
            { action: "replace", sourceLabels: [metaLabel(AGENT_POD_LABEL)], targetLabel: "infermon_mode" },
          ],
        },
      ],
    },
  });
  m.validate();
  return m;
}

/** One ConfigMap per dashboard, labelled for Grafana's sidecar (kube-prometheus-stack: grafana_dashboard). */
export function dashboardConfigMap(config: Config, key: string, json: string): ConfigMap {
  const c = new ConfigMap({
    metadata: {
      name: `infermon-dashboard-${key}`,
      namespace: config.deploy.monitoring.namespace,
      labels: { ...commonLabels(config, "dashboards"), ...config.deploy.dashboards.labels },
    },
    data: { [`infermon-${key}.json`]: json },
  });
  c.validate();
  return c;
}
