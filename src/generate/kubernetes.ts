// deploy/kubernetes/: the same rule groups as prometheus-operator PrometheusRule objects, and a
// PodMonitor that scrapes the agent under the job name the rules expect. Every object is
// validated against the CRD schema (@kubernetes-models/prometheus-operator) when generated.
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { Config } from "../config/model.js";
import { AGENT_JOB, LABEL, MODEL_POD_LABEL, PATHS } from "./conventions.js";
import { type RuleFile, ruleGroupsData, toYaml } from "./rules.js";

const labels = (config: Config) => ({
  "app.kubernetes.io/name": "infermon",
  "app.kubernetes.io/part-of": config.service,
  "app.kubernetes.io/managed-by": "infermon-generate",
});

/** `alerts/drift.rules.yaml` → `infermon-drift`, `slo/credit.rules.yaml` → `infermon-slo-credit` */
export const ruleObjectName = (path: string): string =>
  `infermon-${path
    .replace(/\.rules\.yaml$/, "")
    .replace(/^alerts\//, "")
    .replace(/\//g, "-")}`;

export function prometheusRule(config: Config, file: RuleFile): PrometheusRule {
  const rule = new PrometheusRule({
    metadata: { name: ruleObjectName(file.path), labels: labels(config) },
    spec: { groups: ruleGroupsData(file.groups) as never },
  });
  rule.validate();
  return rule;
}

export function podMonitor(config: Config): PodMonitor {
  const m = new PodMonitor({
    metadata: { name: "infermon", labels: labels(config) },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "infermon" } },
      podMetricsEndpoints: [
        {
          port: "metrics",
          path: "/metrics",
          interval: "30s",
          // the agent's own `model` labels win over the target's (no `exported_model`), while
          // `up` and agent-wide series get the target's: InfermonAgentDown then names the model
          honorLabels: true,
          relabelings: [
            // the generated rules and dashboards select up{job="infermon"}
            { action: "replace", targetLabel: "job", replacement: AGENT_JOB },
            // a pod labelled infermon.io/model=<name> is that model's agent (no label: none)
            {
              action: "replace",
              sourceLabels: [`__meta_kubernetes_pod_label_${MODEL_POD_LABEL.replace(/[^a-zA-Z0-9_]/g, "_")}`],
              targetLabel: LABEL.model,
            },
          ],
        },
      ],
    },
  });
  m.validate();
  return m;
}

export function renderKubernetes(
  config: Config,
  files: readonly RuleFile[],
  header: string,
): Map<string, string> {
  const out = new Map<string, string>();
  const text = (obj: { toJSON(): unknown }) => `# ${header}\n${toYaml(obj.toJSON())}`;
  for (const f of files) {
    out.set(
      `${PATHS.kubernetes}/${ruleObjectName(f.path)}.prometheusrule.yaml`,
      text(prometheusRule(config, f)),
    );
  }
  out.set(`${PATHS.kubernetes}/infermon.podmonitor.yaml`, text(podMonitor(config)));
  return out;
}
