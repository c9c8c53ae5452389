// Argo Rollouts AnalysisTemplates and Flagger MetricTemplates (with a canary example for each) from
// the gates of gates.ts: every template reads the gate's recorded value for the canary's
// ReplicaSet and compares it with the same threshold the threshold series records.
//   Argo Rollouts: no value (no data, too few samples) is NaN, which neither the success nor the
//   failure condition accepts, so the measurement is Inconclusive (the rollout pauses for a human
//   once `inconclusiveLimit` is passed), never a pass or a failure.
//   Flagger: a query returning no value (or NaN) halts the step ("no values found") and counts as a
//   failed check; `analysis.threshold` failed checks roll back. Flagger has no inconclusive state.
import type { Config, ModelConfig, RolloutConfig } from "../../config/model.js";
import { num, quote } from "../promql.js";
import { toYaml } from "../rules.js";
import { GATE_RECORD, type Gate, gatesOf } from "./gates.js";

export const ROLLOUT_PATHS = { argo: "deploy/rollouts/argo", flagger: "deploy/rollouts/flagger" } as const;

/** Measurements 1 minute apart; Argo allows this many inconclusive ones before pausing. */
const INTERVAL = "1m";
const INCONCLUSIVE_LIMIT = 5;
/** failed measurements allowed: the second one fails the analysis */
const FAILURE_LIMIT = 1;

const kebab = (s: string): string => s.replaceAll("_", "-");
const templateName = (m: ModelConfig, g?: Gate): string =>
  `infermon-${m.name}${g ? `-${kebab(g.name)}` : ""}`;

const objectLabels = (config: Config) => ({
  "app.kubernetes.io/name": "infermon",
  "app.kubernetes.io/part-of": config.service,
  "app.kubernetes.io/managed-by": "infermon-generate",
});

/** The recorded value of gate `g` for the pods the selector picks (`max`/`min`: one number). */
function valueQuery(m: ModelConfig, g: Gate, namespace: string, replicaset: string | undefined): string {
  const matchers = [
    `namespace=${namespace}`,
    `model=${quote(m.name)}`,
    `gate=${quote(g.name)}`,
    ...(g.perReplicaset && replicaset !== undefined ? [`replicaset=~${replicaset}`] : []),
  ];
  // the worst value if several series match (an upper bound fails high, a lower bound low)
  return `${g.bound === "upper" ? "max" : "min"}(${GATE_RECORD.value}{${matchers.join(",")}})`;
}

function argoMetric(m: ModelConfig, g: Gate, r: RolloutConfig): Record<string, unknown> {
  const t = num(g.threshold);
  const [pass, fail] = g.bound === "upper" ? [`<= ${t}`, `> ${t}`] : [`>= ${t}`, `< ${t}`];
  return {
    name: kebab(g.name),
    initialDelay: r.window,
    interval: INTERVAL,
    failureLimit: FAILURE_LIMIT,
    inconclusiveLimit: INCONCLUSIVE_LIMIT,
    successCondition: `!isNaN(result[0]) && result[0] ${pass}`,
    failureCondition: `!isNaN(result[0]) && result[0] ${fail}`,
    provider: {
      prometheus: {
        address: "{{args.prometheus-address}}",
        query: `${valueQuery(m, g, '"{{args.namespace}}"', '".+-{{args.canary-hash}}"')}\nor on () vector(NaN)\n`,
      },
    },
  };
}

export function analysisTemplate(config: Config, m: ModelConfig): Record<string, unknown> {
  const r = m.rollout as RolloutConfig;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: templateName(m), labels: objectLabels(config) },
    spec: {
      args: [
        // the Rollout passes these (rollout.example.yaml): the canary ReplicaSet's pod-template-hash
        { name: "canary-hash" },
        { name: "namespace" },
        { name: "prometheus-address", value: r.prometheusUrl },
      ],
      metrics: gatesOf(m).map((g) => argoMetric(m, g, r)),
    },
  };
}

/** An Argo Rollout taking over the model's Deployment (workloadRef), with the gates as background analysis. */
export function argoRolloutExample(config: Config, m: ModelConfig): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: m.name, labels: objectLabels(config) },
    spec: {
      replicas: 3,
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: m.name, scaleDown: "progressively" },
      strategy: {
        canary: {
          steps: [
            { setWeight: 10 },
            { pause: { duration: "15m" } },
            { setWeight: 50 },
            { pause: { duration: "15m" } },
          ],
          analysis: {
            templates: [{ templateName: templateName(m) }],
            startingStep: 1,
            args: [
              { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
              { name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            ],
          },
        },
      },
    },
  };
}

export function metricTemplate(config: Config, m: ModelConfig, g: Gate): Record<string, unknown> {
  const r = m.rollout as RolloutConfig;
  return {
    apiVersion: "flagger.app/v1beta1",
    kind: "MetricTemplate",
    metadata: { name: templateName(m, g), labels: objectLabels(config) },
    spec: {
      provider: { type: "prometheus", address: r.prometheusUrl },
      // the canary Deployment's pods: `<target>-<hash>-<suffix>` (the primary's are `<target>-primary-…`)
      query: `${valueQuery(m, g, '"{{ namespace }}"', '"{{ target }}-[0-9a-zA-Z]+"')}\n`,
    },
  };
}

export function flaggerCanaryExample(config: Config, m: ModelConfig): Record<string, unknown> {
  return {
    apiVersion: "flagger.app/v1beta1",
    kind: "Canary",
    metadata: { name: m.name, labels: objectLabels(config) },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: m.name },
      service: { port: 8080 },
      analysis: {
        interval: INTERVAL,
        // failed checks before rolling back; "no values found" (too few samples) counts as one
        threshold: 10,
        maxWeight: 50,
        stepWeight: 10,
        metrics: gatesOf(m).map((g) => ({
          name: kebab(g.name),
          templateRef: { name: templateName(m, g) },
          thresholdRange: g.bound === "upper" ? { max: g.threshold } : { min: g.threshold },
          interval: INTERVAL,
        })),
      },
    },
  };
}

/** deploy/rollouts/…: path → YAML, for every model with `rollout`. */
export function renderRollouts(config: Config, header: string): Map<string, string> {
  const out = new Map<string, string>();
  const doc = (o: unknown) => toYaml(o);
  for (const m of config.models) {
    if (!m.rollout) continue;
    out.set(
      `${ROLLOUT_PATHS.argo}/${m.name}.analysistemplate.yaml`,
      `# ${header}\n${doc(analysisTemplate(config, m))}`,
    );
    out.set(
      `${ROLLOUT_PATHS.argo}/${m.name}.rollout.example.yaml`,
      `# ${header}\n# An example: an Argo Rollout that takes over the model's Deployment and runs the gates in the background.\n${doc(argoRolloutExample(config, m))}`,
    );
    out.set(
      `${ROLLOUT_PATHS.flagger}/${m.name}.metrictemplates.yaml`,
      `# ${header}\n${gatesOf(m)
        .map((g) => doc(metricTemplate(config, m, g)))
        .join("---\n")}`,
    );
    out.set(
      `${ROLLOUT_PATHS.flagger}/${m.name}.canary.example.yaml`,
      `# ${header}\n# An example: a Flagger Canary of the model's Deployment gated on infermon's metrics.\n${doc(flaggerCanaryExample(config, m))}`,
    );
  }
  return out;
}
