// Drift: PSI/KL/JS per feature over time, top drifting features, reference vs current bin
// proportions for a chosen feature, prediction drift, fleet-wide PSI and data quality.
import { ALERT_PREFIX } from "../conventions.js";
import { FLEET_RECORD } from "../fleetDrift.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { barGauge, type DashboardParts, q, queryVar, RATE, table, timeseries } from "./common.js";

const window = { window: { re: "$window" } };

export function drift(links: LinkBase): DashboardParts {
  const stat = (metric: string, title: string, what: string, alert: string) =>
    timeseries(
      {
        title: `${title} per feature`,
        description: `${what} between each feature's live distribution and its reference, per window.`,
        unit: "none",
        targets: [{ expr: q(metric, { extra: window }), legend: "{{model}} {{feature}} ({{window}})" }],
        span: 8,
        runbook: `${ALERT_PREFIX}${alert}`,
      },
      links,
    );
  const one = { feature: "$feature" };
  return {
    key: "drift",
    description:
      "Feature and prediction drift against the reference profile, and data quality of live inputs.",
    extraVariables: [
      // one feature at a time: the bin-proportion panel compares a single feature's bins
      queryVar("feature", "Feature", 'label_values(infermon_feature_psi{model=~"$model"}, feature)', {
        single: true,
      }),
      queryVar("window", "Window", 'label_values(infermon_feature_psi{model=~"$model"}, window)'),
    ],
    panels: [
      stat(M.featurePsi, "PSI", "Population stability index", "FeatureDriftPSI"),
      stat(M.featureKl, "KL divergence", "KL divergence (current ‖ reference)", "FeatureDriftKL"),
      stat(M.featureJs, "JS distance", "Jensen–Shannon distance (base 2, in [0, 1])", "FeatureDriftJS"),
      table(
        {
          title: "Top drifting features",
          description: "The ten features with the highest PSI now, over any window.",
          unit: "none",
          targets: [
            {
              expr: `topk(10, max by (model, feature) (${q(M.featurePsi)}))`,
              legend: "{{model}} {{feature}}",
              instant: true,
            },
          ],
          span: 8,
        },
        links,
      ),
      barGauge(
        {
          title: "Reference vs current bin proportions ($feature)",
          description:
            "For the chosen feature: the reference proportion of each bin and the current one over the dashboard's time range (unsmoothed).",
          unit: "percentunit",
          targets: [
            {
              expr: `max by (bin) (${q(M.referenceRatio, { extra: one })})`,
              legend: "{{bin}} reference",
              instant: true,
            },
            {
              expr: `sum by (bin) (increase(${q(M.binObservations, { extra: one })}[$__range]))\n/ scalar(sum(increase(${q(M.binObservations, { extra: one })}[$__range])))`,
              legend: "{{bin}} current",
              instant: true,
            },
          ],
          span: 16,
          height: 10,
          min: 0,
          max: 1,
        },
        links,
      ),
      timeseries(
        {
          title: "Prediction drift",
          description:
            "PSI, KL and JS between the live distribution of predictions and the reference, per window.",
          unit: "none",
          targets: [
            { expr: q(M.predictionPsi), legend: "{{model}} PSI ({{window}})" },
            { expr: q(M.predictionKl), legend: "{{model}} KL ({{window}})" },
            { expr: q(M.predictionJs), legend: "{{model}} JS ({{window}})" },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}PredictionDrift`,
        },
        links,
      ),
      timeseries(
        {
          title: "Fleet-wide PSI",
          description:
            "PSI per feature computed by recording rules from the bin counters of all pods (see docs/generate.md for the smoothing used).",
          unit: "none",
          targets: [
            { expr: q(FLEET_RECORD.psi, { extra: window }), legend: "{{model}} {{feature}} ({{window}})" },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Data quality",
          description:
            "Share of analysed events with a missing value, an invalid value or an unseen category, per feature.",
          unit: "percentunit",
          targets: (
            [
              [M.missing, "missing"],
              [M.invalid, "invalid"],
              [M.unseen, "unseen"],
            ] as const
          ).map(([metric, what]) => ({
            expr: `sum by (model, feature) (rate(${q(metric)}[${RATE}]))\n/ on (model) group_left\nsum by (model) (rate(${q(M.events, { version: false })}[${RATE}]))`,
            legend: `{{model}} {{feature}} ${what}`,
          })),
          span: 12,
          runbook: `${ALERT_PREFIX}FeatureMissingRateHigh`,
        },
        links,
      ),
      timeseries(
        {
          title: "Samples in window",
          description: "Events in each sliding window; no drift value is exported below min_samples.",
          unit: "short",
          targets: [{ expr: q(M.windowSamples), legend: "{{model}} ({{window}})" }],
          span: 12,
        },
        links,
      ),
    ],
  };
}
