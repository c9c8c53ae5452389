// Drift: PSI/KL/JS per feature over time, top drifting features, reference vs current bin
// proportions for a chosen feature, prediction drift, the fleet-wide values the alerts read with
// the per-pod values beside them ("which pods"), fleet observations and data quality.
import { ALERT_PREFIX } from "../conventions.js";
import { FLEET_RECORD } from "../fleetDrift.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { barGauge, type DashboardParts, q, queryVar, RATE, table, timeseries, withBand } from "./common.js";

const window = { window: { re: "$window" } };

export function drift(links: LinkBase): DashboardParts {
  const stat = (metric: string, title: string, what: string, alert: string) =>
    timeseries(
      {
        title: `${title} per feature`,
        description: `${what} between each feature's live distribution and its reference, per window, with dashed bounds at ± 2 standard errors (the spread of another window of the same size; a value whose band holds 0 is within sampling noise).`,
        unit: "none",
        targets: withBand(
          q(metric, { extra: window }),
          q(`${metric}_stderr`, { extra: window }),
          "{{model}} {{feature}} ({{window}})",
        ),
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
      stat(M.featurePsi, "PSI", "Population stability index", "FeatureDrift"),
      stat(M.featureKl, "KL divergence", "KL divergence (current ‖ reference)", "FeatureDrift"),
      stat(M.featureJs, "JS distance", "Jensen–Shannon distance (base 2, in [0, 1])", "FeatureDrift"),
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
            "PSI, KL and JS between the live distribution of predictions and the reference, per window, with dashed bounds at ± 2 standard errors, and the levels of the model's drift statistic that InfermonPredictionDrift compares with (per pod: fixed, or at the pod's own sample size).",
          unit: "none",
          targets: [
            ...(
              [
                [M.predictionPsi, "PSI"],
                [M.predictionKl, "KL"],
                [M.predictionJs, "JS"],
              ] as const
            ).flatMap(([metric, what]) =>
              withBand(q(metric), q(`${metric}_stderr`), `{{model}} ${what} ({{window}})`),
            ),
            { expr: q(M.predictionLevel), legend: "{{model}} {{statistic}} {{level}} level ({{window}})" },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}PredictionDrift`,
        },
        links,
      ),
      timeseries(
        {
          title: "Fleet-wide drift (what the alerts read)",
          description:
            "PSI, KL and JS per feature from recording rules that merge the bin counters of all pods (docs/generate.md gives the formulas and smoothing), and the warning and critical levels of the model's drift statistic (drift.statistic) in force per feature and window. InfermonFeatureDrift compares that statistic with these levels: one alert per model and level, whatever the number of features or replicas.",
          unit: "none",
          targets: [
            ...(["psi", "kl", "js"] as const).map((stat) => ({
              expr: q(FLEET_RECORD[stat], { extra: window }),
              legend: `{{model}} {{feature}} ${stat.toUpperCase()} ({{window}})`,
            })),
            {
              expr: q(FLEET_RECORD.level, { extra: window }),
              legend: "{{model}} {{feature}} {{statistic}} {{level}} level ({{window}})",
            },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}FeatureDrift`,
        },
        links,
      ),
      table(
        {
          title: "Which pods ($feature)",
          description:
            "Per-pod PSI, KL and JS of the chosen feature now (each pod's own window): one pod far above the others means traffic reaching that pod differs (a client, a zone), all pods alike means the population changed.",
          unit: "none",
          // one query, one table: a row per pod, window and statistic
          targets: [
            {
              expr: (
                [
                  [M.featurePsi, "psi"],
                  [M.featureKl, "kl"],
                  [M.featureJs, "js"],
                ] as const
              )
                .map(
                  ([metric, stat]) =>
                    `label_replace(max by (namespace, pod, instance, window) (${q(metric, { extra: { ...one, ...window } })}), "statistic", "${stat}", "", "")`,
                )
                .join("\nor\n"),
              legend: "{{pod}} {{instance}} {{statistic}} ({{window}})",
              instant: true,
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Fleet observations per window",
          description:
            "Observations of each feature across all pods in each window (exact counts, not increase()); below min_samples no fleet drift value is recorded and InfermonDriftInsufficientTraffic says so.",
          unit: "short",
          targets: [
            {
              expr: q(FLEET_RECORD.observations, { extra: window }),
              legend: "{{model}} {{feature}} ({{window}})",
            },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}DriftInsufficientTraffic`,
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
          title: "Failed requests' inputs",
          description:
            "Feature values per second of requests the model server answered with a non-2xx status, per feature and quality (missing, invalid, unseen, out_of_range: outside the reference's min..max). Kept apart from the predictions' data quality above; the inputs that broke the model show here.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, feature, quality) (rate(${q(M.failedRequestValues)}[${RATE}]))`,
              legend: "{{model}} {{feature}} {{quality}}",
            },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}FeatureInvalidRateHigh`,
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
