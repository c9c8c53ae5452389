// SLO rules per model (Sloth/Pyrra shape): SLI error ratios at the burn-rate windows, the
// period's ratio from event counts, objective / error budget / remaining budget, and the four
// multi-window burn-rate alerts, each guarded by a minimum count of bad events in its long window.
import type { ModelConfig } from "../../config/model.js";
import { modelAlert } from "../alerts/types.js";
import {
  BURN_RATE_TIERS,
  type BurnRateTier,
  groupName,
  LABEL,
  type Severity,
  SLI_WINDOWS,
} from "../conventions.js";
import { exactIncrease } from "../fleetDrift.js";
import { increase, num, rate, sel } from "../promql.js";
import type { AlertingRule, RecordingRule, RuleGroup } from "../rules.js";
import { severityFor } from "../severity.js";
import { errorRatio, type Sli } from "./sli.js";
import { burnSpec } from "./specs.js";

const META_INTERVAL = "5m";

export const SLO_RECORD = {
  errorRatio: (window: string) => `infermon_slo:sli_error:ratio_rate${window}`,
  objective: "infermon_slo:objective:ratio",
  errorBudget: "infermon_slo:error_budget:ratio",
  remaining: "infermon_slo:error_budget_remaining:ratio",
} as const;

/** 1 − objective, printed without float noise (99.9 → 0.001). */
export const budgetOf = (sli: Sli): number => Number((1 - sli.target.objective / 100).toPrecision(12));

/** Exact count over a window, summed per model (see exactIncrease): the guard compares it with a small N. */
const exactSum = (selector: string, window: string): string => `(${exactIncrease(selector, window)})`;

/**
 * The traffic guard of a burn-rate alert: the long window must hold at least `slo.min_bad_events`
 * bad events. Guarding on all events (the SRE workbook's and this generator's earlier form) keeps
 * a low-traffic model that fails a quarter of its requests silent for days; no guard at all (Sloth)
 * pages on one failed request out of four. Bad events are what the on-call engineer acts on.
 */
export function guardExpr(sli: Sli, tier: BurnRateTier): string {
  return `${sli.bad(exactSum, tier.long)} >= ${sli.model.slo.minBadEvents}`;
}

function sliRules(sli: Sli): RecordingRule[] {
  const labels = { [LABEL.slo]: sli.kind };
  return SLI_WINDOWS.map((w) => ({
    record: SLO_RECORD.errorRatio(w),
    expr: errorRatio(sli, rate, w),
    labels,
  }));
}

/** The period's error ratio, unless the period is one of the SLI windows already recorded. */
function periodRules(sli: Sli): RecordingRule[] {
  if ((SLI_WINDOWS as readonly string[]).includes(sli.target.period)) return [];
  // from event counts (increase over the period), not an average of ratios
  return [
    {
      record: SLO_RECORD.errorRatio(sli.target.period),
      expr: errorRatio(sli, increase, sli.target.period),
      labels: { [LABEL.slo]: sli.kind },
    },
  ];
}

function metaRules(sli: Sli): RecordingRule[] {
  const labels = { model: sli.model.name, [LABEL.slo]: sli.kind };
  const self = { model: sli.model.name, slo: sli.kind };
  return [
    ...periodRules(sli),
    { record: SLO_RECORD.objective, expr: `vector(${num(sli.target.objective / 100)})`, labels },
    { record: SLO_RECORD.errorBudget, expr: `vector(${num(budgetOf(sli))})`, labels },
    {
      record: SLO_RECORD.remaining,
      expr: `1 - (\n  ${sel(SLO_RECORD.errorRatio(sli.target.period), self)}\n  / on (model, slo)\n  ${sel(SLO_RECORD.errorBudget, self)}\n)`,
      labels: { [LABEL.slo]: sli.kind },
    },
  ];
}

/** The severity of a tier under the model's policy: page tiers at the top level, ticket tiers one step less. */
export function tierSeverity(sli: Sli, tier: BurnRateTier): Severity | undefined {
  return severityFor(sli.model, "slo_burn", tier.tier === "page" ? "critical" : "warning");
}

function burnRule(sli: Sli, tier: BurnRateTier, severity: Severity): AlertingRule {
  const self = { model: sli.model.name, slo: sli.kind };
  const threshold = `(${num(tier.factor)} * ${num(budgetOf(sli))})`;
  const expr = [
    "(",
    `  ${sel(SLO_RECORD.errorRatio(tier.long), self)} > ${threshold}`,
    "and",
    `  ${sel(SLO_RECORD.errorRatio(tier.short), self)} > ${threshold}`,
    ")",
    "and on (model)",
    `  ${guardExpr(sli, tier)}`,
  ].join("\n");
  return modelAlert(burnSpec(sli.kind), sli.model, severity, expr, tier.for, {
    labels: {
      [LABEL.slo]: sli.kind,
      [LABEL.tier]: tier.tier,
      [LABEL.longWindow]: tier.long,
      short_window: tier.short,
    },
    description: `Model {{ $labels.model }} is spending its ${sli.kind} error budget ${num(tier.factor)}× faster than the objective allows: {{ $value | humanizePercentage }} of ${sli.noun} over the last ${tier.long} were ${sli.badness} (objective ${num(sli.target.objective)}% over ${sli.target.period}).`,
  });
}

/** The rule groups of one SLO of one model. */
export function sloGroups(sli: Sli): RuleGroup[] {
  const id = [sli.model.name, sli.kind];
  return [
    { name: groupName("slo", ...id, "sli"), rules: sliRules(sli) },
    // the period's ratio reads a whole period of counters: every 5m is plenty for a budget
    { name: groupName("slo", ...id, "meta"), interval: META_INTERVAL, rules: metaRules(sli) },
    {
      name: groupName("slo", ...id, "alerts"),
      rules: BURN_RATE_TIERS.flatMap((t) => {
        const severity = tierSeverity(sli, t);
        return severity ? [burnRule(sli, t, severity)] : [];
      }),
    },
  ];
}

export type { ModelConfig };
