// The severity policy: what on-call does about each concern an alert belongs to. A page wakes
// someone up; a ticket waits for working hours; info is for dashboards and the default receiver.
// Symptoms the on-call engineer can act on page (accuracy below its level, SLO burn, prediction
// drift of a model that gets no labels — then it is the only symptom there is); causes whose fix
// is upstream work (input drift, data quality, labels late) are tickets. `alerting.severity` and
// `models[].severity` promote or demote a concern (docs/generate.md, "Severity policy").
//
// Every alert names its concern (AlertSpec.concern, and the `concern` label on the rule), and its
// rules take their `severity` label from `severityFor`: a rule at the concern's top level gets
// the concern's urgency, the lower rule of a warning/critical pair one step less. A new concern
// is a row in CONCERNS (the configuration keys follow).
import type { ModelConfig } from "../config/model.js";
import type { Severity } from "./conventions.js";

export const URGENCIES = ["page", "ticket", "info"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** The model expects ground-truth labels (quality thresholds, a correctness SLO or a `labels:` block). */
export function expectsLabels(m: Pick<ModelConfig, "labels" | "quality" | "slo">): boolean {
  return (
    m.labels.configured ||
    m.quality.accuracy !== undefined ||
    m.quality.mae !== undefined ||
    m.slo.correctness !== undefined
  );
}

type Default = Urgency | ((m: Pick<ModelConfig, "labels" | "quality" | "slo">) => Urgency);

/** Every concern, its default urgency and the alerts that belong to it (for the docs). */
export const CONCERNS = {
  input_drift: { default: "ticket", alerts: "InfermonFeatureDrift" },
  // without labels the prediction's drift is the only symptom of a model going wrong
  prediction_drift: {
    default: (m) => (expectsLabels(m) ? "ticket" : "page"),
    alerts: "InfermonPredictionDrift",
  },
  data_quality: {
    default: "ticket",
    alerts:
      "InfermonFeatureMissingRateHigh, InfermonFeatureInvalidRateHigh, InfermonFeatureUnseenCategoryRateHigh",
  },
  model_quality: {
    default: "page",
    alerts: "InfermonModelAccuracyLow, InfermonModelErrorHigh, InfermonModelEstimatedAccuracyLow",
  },
  slo_burn: {
    default: "page",
    alerts: "Infermon<SLI>ErrorBudgetBurn (page tiers; ticket tiers one step less)",
  },
  labels: { default: "ticket", alerts: "InfermonLabelsNotArriving" },
  // a variant worse for certain: the rollout's owner decides, in working hours, unless promoted
  variants: { default: "ticket", alerts: "InfermonVariantWorse" },
  // the shadow serves no one: its disagreement is a finding for the rollout's owner, not an outage
  shadow: { default: "ticket", alerts: "InfermonShadowAgreementLow" },
  agent: {
    default: "page",
    alerts:
      "InfermonAgentDown, InfermonAgentAbsent (and one step less: InfermonEventsDropped, InfermonParseErrors, InfermonKafkaConsumerLagHigh)",
  },
} as const satisfies Record<string, { default: Default; alerts: string }>;

export type Concern = keyof typeof CONCERNS;
export const CONCERN_NAMES = Object.keys(CONCERNS) as Concern[];

/** Urgency of every concern, resolved for one model (or for rules of no model). */
export type SeverityPolicy = Record<Concern, Urgency>;
export type SeverityOverrides = Partial<Record<Concern, Urgency>>;

/**
 * The policy of a model: its own `models[].severity`, then `alerting.severity`, then the defaults.
 * Without a model (agent-wide rules of no configured model), a model-dependent default is a ticket.
 */
export function resolvePolicy(
  model: Pick<ModelConfig, "labels" | "quality" | "slo"> | undefined,
  ...overrides: (SeverityOverrides | undefined)[]
): SeverityPolicy {
  const out = {} as SeverityPolicy;
  for (const c of CONCERN_NAMES) {
    const d: Default = CONCERNS[c].default;
    let u: Urgency = typeof d !== "function" ? d : model ? d(model) : "ticket";
    for (const o of overrides) u = o?.[c] ?? u;
    out[c] = u;
  }
  return out;
}

/** Which rule of an alert: the top (critical) level of a pair or a single rule, or its lower (warning) level. */
export type RuleLevel = "critical" | "warning";

const SEVERITY_OF: Record<Urgency, Severity> = { page: "critical", ticket: "warning", info: "info" };
const ONE_LESS: Record<Urgency, Urgency | undefined> = { page: "ticket", ticket: "info", info: undefined };

/** The severity label for an urgency at a level; undefined: the rule is not generated (below info). */
export function severityAt(urgency: Urgency, level: RuleLevel): Severity | undefined {
  const u = level === "critical" ? urgency : ONE_LESS[urgency];
  return u === undefined ? undefined : SEVERITY_OF[u];
}

/** The `severity` label of a single rule (or the top rule of a pair) of `concern`: never omitted. */
export function topSeverity(model: Pick<ModelConfig, "severity">, concern: Concern): Severity {
  return SEVERITY_OF[model.severity[concern]];
}

/**
 * The `severity` label of a model's rule of `concern` at `level`: the function every alert
 * concern calls. Undefined: the policy demotes that rule below info, so it is not generated.
 */
export function severityFor(
  model: Pick<ModelConfig, "severity">,
  concern: Concern,
  level: RuleLevel,
): Severity | undefined {
  return severityAt(model.severity[concern], level);
}
