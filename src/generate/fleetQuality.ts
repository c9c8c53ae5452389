// Fleet-wide ROC AUC: recording rules that merge every pod's labelled score counters
// (infermon_labeled_score_bin_total by truth, infermon_labeled_score_negatives_below_total) over
// each time window and compute, per class scored one-vs-rest,
//   AUC = Σ_b pos_b · (neg_below_b + ½ neg_b) / (P · N)
// — the agent's histogram AUC on the merged counts, exact up to the bins (docs/metrics.md). The
// sums run per bin before the product, so the value is the fleet's, not an average of pods'.
// Recorded only once the fleet's window holds min_samples labelled predictions of the class.
import type { ModelConfig } from "../config/model.js";
import { longestTimeWindow, timeWindows } from "../config/window.js";
import { aucStandardError, binnedAuc } from "../stats/rocAuc.js";
import type { Scenario } from "./alerts/types.js";
import { groupName } from "./conventions.js";
import { exactIncrease } from "./fleetDrift.js";
import { M, num, sel } from "./promql.js";
import type { RecordingRule, RuleGroup } from "./rules.js";

export const FLEET_QUALITY_RECORD = {
  bins: "model_class_bin:infermon_labeled_score_bin:increase",
  below: "model_class_bin:infermon_labeled_score_negatives_below:increase",
  aucClass: "model_class:infermon_model_roc_auc:fleet",
  auc: "model:infermon_model_roc_auc:fleet",
  positives: "model_class:infermon_labeled_score_positives:fleet",
  negatives: "model_class:infermon_labeled_score_negatives:fleet",
  aucClassStderr: "model_class:infermon_model_roc_auc_stderr:fleet",
  aucStderr: "model:infermon_model_roc_auc_stderr:fleet",
} as const;

const CLASS = "namespace, model, model_version, class";
const BIN = `${CLASS}, bin`;

/** Classification models that expect labels (the label alerts' rule) get fleet AUC rules. */
export function expectsLabels(m: ModelConfig): boolean {
  return (
    m.task !== "regression" &&
    (m.labels.configured || m.quality.accuracy !== undefined || m.slo.correctness !== undefined)
  );
}

function windowRules(m: ModelConfig, window: string): RecordingRule[] {
  const labels = { model: m.name, window };
  const bins = (truth: string) => sel(FLEET_QUALITY_RECORD.bins, { ...labels, truth });
  const below = sel(FLEET_QUALITY_RECORD.below, labels);
  const total = (truth: string) => `sum by (${CLASS}) (${bins(truth)})`;
  return [
    {
      record: FLEET_QUALITY_RECORD.bins,
      expr: `sum by (${BIN}, truth) (${exactIncrease(sel(M.scoreBins, { model: m.name }), window)})`,
      labels,
    },
    {
      record: FLEET_QUALITY_RECORD.below,
      expr: `sum by (${BIN}) (${exactIncrease(sel(M.negativesBelow, { model: m.name }), window)})`,
      labels,
    },
    {
      record: FLEET_QUALITY_RECORD.aucClass,
      expr: `sum by (${CLASS}) (\n  ${bins("positive")}\n  * on (${BIN})\n  (${below} + on (${BIN}) 0.5 * ${bins("negative")})\n)\n/ on (${CLASS})\n(${total("positive")} * on (${CLASS}) ${total("negative")})\nand on (${CLASS})\n(${total("positive")} + on (${CLASS}) ${total("negative")}) >= ${m.minSamples}`,
      labels,
    },
    {
      record: FLEET_QUALITY_RECORD.auc,
      // binary: the positive class's AUC; multiclass: the macro average of the classes'
      expr: `avg by (namespace, model, model_version) (${sel(FLEET_QUALITY_RECORD.aucClass, labels)})`,
      labels,
    },
    { record: FLEET_QUALITY_RECORD.positives, expr: total("positive"), labels },
    { record: FLEET_QUALITY_RECORD.negatives, expr: total("negative"), labels },
    {
      record: FLEET_QUALITY_RECORD.aucClassStderr,
      // Hanley & McNeil (1982), as the agent (src/stats/rocAuc.ts): Q1 = A/(2−A), Q2 = 2A²/(1+A)
      expr: hanleyMcNeil(
        sel(FLEET_QUALITY_RECORD.aucClass, labels),
        sel(FLEET_QUALITY_RECORD.positives, labels),
        sel(FLEET_QUALITY_RECORD.negatives, labels),
      ),
      labels,
    },
    {
      record: FLEET_QUALITY_RECORD.aucStderr,
      // of the macro average: the classes taken as independent, √(Σ se²)/K
      expr: `sqrt(sum by (namespace, model, model_version) (${sel(FLEET_QUALITY_RECORD.aucClassStderr, labels)} ^ 2))\n/ count by (namespace, model, model_version) (${sel(FLEET_QUALITY_RECORD.aucClassStderr, labels)})`,
      labels,
    },
  ];
}

function hanleyMcNeil(a: string, p: string, n: string): string {
  return `sqrt(\n  (\n    ${a} * (1 - ${a})\n    + (${p} - 1) * (${a} / (2 - ${a}) - ${a} ^ 2)\n    + (${n} - 1) * (2 * ${a} ^ 2 / (1 + ${a}) - ${a} ^ 2)\n  )\n  / (${p} * ${n})\n)`;
}

export function fleetQualityGroups(models: readonly ModelConfig[]): RuleGroup[] {
  return models.filter(expectsLabels).map((m) => ({
    name: groupName("fleet-quality", m.name),
    // count windows are no PromQL range: fleet rules are by time only
    rules: timeWindows(m.windows).flatMap((w) => windowRules(m, w.name)),
  }));
}

/**
 * Two pods' counters over the longest window give the AUC the agent's histogram gives on the
 * merged counts (computed here by binnedAuc), and nothing below min_samples.
 */
function aucScenario(m: ModelConfig): Scenario {
  const longest = longestTimeWindow(m.windows);
  const minutes = longest.ms / 60_000;
  const cls = m.prediction.classes?.[m.task === "binary_classification" ? 1 : 0] ?? "1";
  const base = { model: m.name, model_version: m.version, class: cls };
  // per minute and pod, positives and negatives in three bins
  const pods = {
    a: { pos: [1, 2, 4], neg: [5, 2, 1] },
    b: { pos: [0, 1, 3], neg: [3, 3, 0] },
  };
  const perMinute = Object.values(pods).reduce((s, p) => s + [...p.pos, ...p.neg].reduce((x, y) => x + y), 0);
  const scale = Math.max(1, Math.ceil(m.minSamples / (perMinute * minutes)));
  const bins = ["[-inf,0.3)", "[0.3,0.6)", "[0.6,+inf)"];
  const input = Object.entries(pods).flatMap(([pod, p]) => {
    let below = 0;
    return bins.flatMap((bin, b) => {
      const out = [
        {
          series: sel(M.scoreBins, { ...base, bin, truth: "positive", pod }),
          values: `0+${(p.pos[b] as number) * scale}x${minutes}`,
        },
        {
          series: sel(M.scoreBins, { ...base, bin, truth: "negative", pod }),
          values: `0+${(p.neg[b] as number) * scale}x${minutes}`,
        },
        { series: sel(M.negativesBelow, { ...base, bin, pod }), values: `0+${below * scale}x${minutes}` },
      ];
      below += p.neg[b] as number;
      return out;
    });
  });
  const merged = (k: "pos" | "neg") =>
    [0, 1, 2].map((b) => (pods.a[k][b]! + pods.b[k][b]!) * scale * minutes);
  const h = binnedAuc(merged("pos"), merged("neg"));
  const want = h.auc;
  const se = aucStandardError(h.auc, h.positives, h.negatives);
  const at = { model: m.name, model_version: m.version, window: longest.name };
  return {
    name: `${m.name}: fleet ROC AUC of two pods' merged score counters equals the histogram AUC (${want.toFixed(6)})`,
    input,
    evalTime: longest.name,
    expect: [],
    exprs: [
      {
        expr: `abs(${sel(FLEET_QUALITY_RECORD.aucClass, { model: m.name, window: longest.name })} - ${num(want)}) < bool 1e-9`,
        samples: [
          {
            labels: `{class="${cls}", model="${at.model}", model_version="${at.model_version}", window="${at.window}"}`,
            value: 1,
          },
        ],
      },
      {
        expr: `abs(${sel(FLEET_QUALITY_RECORD.auc, { model: m.name, window: longest.name })} - ${num(want)}) < bool 1e-9`,
        samples: [
          {
            labels: `{model="${at.model}", model_version="${at.model_version}", window="${at.window}"}`,
            value: 1,
          },
        ],
      },
      {
        // its standard error: the agent's Hanley–McNeil on the merged counts
        expr: `abs(${sel(FLEET_QUALITY_RECORD.aucStderr, { model: m.name, window: longest.name })} - ${num(se)}) < bool 1e-9`,
        samples: [
          {
            labels: `{model="${at.model}", model_version="${at.model_version}", window="${at.window}"}`,
            value: 1,
          },
        ],
      },
    ],
  };
}

export function fleetQualityScenarios(models: readonly ModelConfig[]): Scenario[] {
  return models.filter(expectsLabels).slice(0, 1).map(aucScenario);
}
