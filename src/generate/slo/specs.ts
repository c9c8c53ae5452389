// Alert documentation (summary, runbook) of the burn-rate alerts, one alert name per SLI kind.

import type { AlertSpec } from "../alerts/types.js";
import { ALERT_PREFIX, LOG_SELECTOR } from "../conventions.js";
import { M } from "../promql.js";
import type { SloKind } from "./sli.js";

const TITLE: Record<SloKind, string> = {
  availability: "Availability",
  latency: "Latency",
  correctness: "Correctness",
};

const SLI_TEXT: Record<SloKind, { sli: string; promql: string[]; causes: string[]; fixes: string[] }> = {
  availability: {
    sli: "the share of inference requests answered with a 5xx status",
    promql: [
      `sum by (code) (rate(${M.requests}{model="<model>"}[5m]))`,
      `infermon_slo:sli_error:ratio_rate5m{model="<model>",slo="availability"}`,
    ],
    causes: [
      "the model server is failing or overloaded",
      "a bad model version was rolled out",
      "a dependency of the model server is down",
    ],
    fixes: [
      "Roll back a recent model or server deploy.",
      "Scale the model server if it is saturated.",
      "Fix or fail over the failing dependency.",
    ],
  },
  latency: {
    sli: "the share of inference requests slower than the latency threshold",
    promql: [
      `histogram_quantile(0.99, sum by (le) (rate(${M.duration}_bucket{model="<model>"}[5m])))`,
      `infermon_slo:sli_error:ratio_rate5m{model="<model>",slo="latency"}`,
    ],
    causes: [
      "the model server is saturated (CPU/GPU, queueing)",
      "a slower model version was rolled out",
      "larger inputs than usual",
    ],
    fixes: [
      "Scale the model server or its accelerators.",
      "Roll back a recent model version.",
      "Follow the exemplars on the latency panel to slow traces in Tempo.",
    ],
  },
  correctness: {
    sli: "the share of labelled predictions judged incorrect once their ground-truth label arrived (regression: off by more than `labels.tolerance`)",
    promql: [
      `sum by (result) (rate(${M.labeled}{model="<model>"}[1h]))`,
      `infermon_slo:sli_error:ratio_rate1h{model="<model>",slo="correctness"}`,
      `${M.accuracy}{model="<model>"}`,
      `${M.mae}{model="<model>"}`,
    ],
    causes: [
      "input drift or concept drift",
      "a bad model version",
      "a broken feature upstream",
      "wrong labels",
    ],
    fixes: [
      "Roll back a recent model version.",
      "Retrain on recent labelled data if the population changed.",
      "Fix a broken feature pipeline or label source.",
    ],
  },
};

export function burnSpec(kind: SloKind): AlertSpec {
  const t = SLI_TEXT[kind];
  return {
    name: `${ALERT_PREFIX}${TITLE[kind]}ErrorBudgetBurn`,
    concern: "slo_burn",
    summary: `The model is spending its ${kind} error budget too fast.`,
    description: "",
    dashboard: "overview",
    runbook: {
      meaning: `The ${kind} SLI — ${t.sli} — is above the objective's error rate by a burn-rate factor over both a long and a short window. The \`tier\` label says how urgent: \`page\` (14.4× over 1h and 5m, 6× over 6h and 30m: the budget of the period would be gone in days) or \`ticket\` (3× over 1d and 2h, 1× over 3d and 6h). A tier fires only when its long window holds at least \`slo.min_bad_events\` bad events (default 4): one failed request out of four never pages, and a low-traffic model failing a quarter of its requests pages within hours.`,
      impact: `Users of the model see ${kind === "correctness" ? "wrong predictions" : kind === "latency" ? "slow responses" : "failed requests"} more often than the SLO allows; at this rate the error budget of the period runs out early.`,
      diagnosis: [
        "Open the Overview dashboard: SLO status and error budget remaining, and traffic, errors and latency of the model.",
        `Look for likely causes: ${t.causes.join("; ")}.`,
        "Compare `model_version` series: did the burn start with a rollout?",
      ],
      promql: [...t.promql, `infermon_slo:error_budget_remaining:ratio{model="<model>",slo="${kind}"}`],
      logql: [`${LOG_SELECTOR} | json | model="<model>" | level >= 40`],
      mitigation: t.fixes,
    },
  };
}
