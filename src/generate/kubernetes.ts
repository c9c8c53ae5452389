// deploy/kubernetes/: everything `kubectl apply -k` needs, from the same configuration as the rules.
//   ./            monitoring for kube-prometheus-stack: PrometheusRules, the PodMonitor, dashboards
//   sidecar/      the model's Deployment with infermon as its native sidecar, its Service, config
//   daemonset/    node agents for payload loggers on each node
//   aggregator/   the aggregator for payload loggers (HPA on CPU), PDB, NetworkPolicy
//   join/         where labels meet predictions (one replica; with Kafka a consumer group on KEDA),
//                 included by every mode that forwards predictions
//   examples/     KServe and Seldon payload loggers pointed at the aggregator
// Each object is one file, typed (kubernetes-models, @kubernetes-models/*) and validated.
import type { Config } from "../config/model.js";
import { expectsLabels } from "./alerts/labels.js";
import { PATHS } from "./conventions.js";
import type { TopologyOptions } from "./deploy/agentConfig.js";
import { kserveInferenceService, loggerModels, seldonDeployment } from "./deploy/examples.js";
import { dashboardConfigMap, podMonitor, prometheusRule, ruleObjectName } from "./deploy/monitoring.js";
import {
  agentService,
  aggregatorAutoscaler,
  disruptionBudget,
  joinScaledObject,
  modelService,
  networkPolicy,
} from "./deploy/network.js";
import {
  agentDeployment,
  configMap,
  modelName,
  nodeDaemonSet,
  sidecarDeployment,
} from "./deploy/workloads.js";
import { type RuleFile, toYaml } from "./rules.js";

export { podMonitor, prometheusRule, ruleObjectName } from "./deploy/monitoring.js";

type Obj = { toJSON(): unknown } | Record<string, unknown>;
const json = (o: Obj): unknown => ("toJSON" in o && typeof o.toJSON === "function" ? o.toJSON() : o);

export function renderKubernetes(
  config: Config,
  files: readonly RuleFile[],
  dashboards: ReadonlyMap<string, string>,
  header: string,
): Map<string, string> {
  const out = new Map<string, string>();
  const dirs = new Map<string, string[]>();
  const put = (dir: string, name: string, obj: Obj) => {
    const rel = dir === "" ? name : `${dir}/${name}`;
    out.set(`${PATHS.kubernetes}/${rel}`, `# ${header}\n${toYaml(json(obj))}`);
    dirs.set(dir, [...(dirs.get(dir) ?? []), name]);
  };

  // monitoring
  for (const f of files) put("", `${ruleObjectName(f.path)}.prometheusrule.yaml`, prometheusRule(config, f));
  put("", "infermon.podmonitor.yaml", podMonitor(config));
  for (const [path, text] of dashboards) {
    if (!path.endsWith(".json")) continue; // Grafana provisioning files are not dashboards
    const key = path.replace(/^.*\//, "").replace(/\.json$/, "");
    put("", `infermon-dashboard-${key}.configmap.yaml`, dashboardConfigMap(config, key, text));
  }

  const t: TopologyOptions = { joins: config.models.some(expectsLabels) };
  const includes = t.joins ? ["../join"] : [];

  const model = modelName(config);
  put("sidecar", `${model}-infermon.configmap.yaml`, configMap(config, "sidecar", t));
  put("sidecar", `${model}.deployment.yaml`, sidecarDeployment(config, t));
  put("sidecar", `${model}.service.yaml`, modelService(config));

  put("daemonset", "infermon-node.configmap.yaml", configMap(config, "daemonset", t));
  put("daemonset", "infermon-node.daemonset.yaml", nodeDaemonSet(config, t));
  put("daemonset", "infermon-node.service.yaml", agentService(config, "daemonset"));
  put("daemonset", "infermon-node.networkpolicy.yaml", networkPolicy(config, "daemonset"));

  put("aggregator", "infermon-aggregator.configmap.yaml", configMap(config, "aggregator", t));
  put("aggregator", "infermon-aggregator.deployment.yaml", agentDeployment(config, "aggregator", t));
  put("aggregator", "infermon-aggregator.service.yaml", agentService(config, "aggregator"));
  put("aggregator", "infermon-aggregator.networkpolicy.yaml", networkPolicy(config, "aggregator"));
  put("aggregator", "infermon-aggregator.pdb.yaml", disruptionBudget(config, "aggregator"));
  put("aggregator", "infermon-aggregator.hpa.yaml", aggregatorAutoscaler(config));

  if (t.joins) {
    put("join", "infermon-join.configmap.yaml", configMap(config, "join", t));
    put("join", "infermon-join.deployment.yaml", agentDeployment(config, "join", t));
    put("join", "infermon-join.service.yaml", agentService(config, "join"));
    put("join", "infermon-join.networkpolicy.yaml", networkPolicy(config, "join"));
    put("join", "infermon-join.pdb.yaml", disruptionBudget(config, "join"));
    const scaled = joinScaledObject(config);
    if (scaled) put("join", "infermon-join.scaledobject.yaml", scaled);
  }

  for (const m of loggerModels(config)) {
    put("examples", `${m.name}.inferenceservice.yaml`, kserveInferenceService(config, m));
    put("examples", `${m.name}.seldondeployment.yaml`, seldonDeployment(config, m));
  }

  for (const [dir, names] of dirs) {
    if (dir === "examples") continue; // needs KServe or Seldon installed: applied one by one
    const resources = [...names.sort(), ...(dir === "" || dir === "join" ? [] : includes)];
    out.set(
      `${PATHS.kubernetes}/${dir === "" ? "" : `${dir}/`}kustomization.yaml`,
      `# ${header}\n${toYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources })}`,
    );
  }
  return out;
}
