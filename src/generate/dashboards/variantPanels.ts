// The Rollouts dashboard's A/B variants panels: traffic, errors, predictions, drift and quality per
// variant, and the sequential test's difference, confidence sequence and p-value
// (alerts/variants.ts records them).
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { TEST_RECORD, VARIANT_METRIC, variantWorseSpec } from "../alerts/variants.js";
import type { LinkBase } from "../links.js";
import { q, RATE, timeseries } from "./common.js";

const NO_VERSION = { version: false } as const;
const v = (metric: string, extra?: Record<string, string | { re: string }>) =>
  q(metric, { ...NO_VERSION, ...(extra && { extra }) });
const rateOf = (metric: string, extra?: Record<string, string | { re: string }>) =>
  `rate(${v(metric, extra)}[${RATE}])`;
const BY = "model, variant";

export function variantPanels(links: LinkBase): cog.Builder<Panel>[] {
  const requests = VARIANT_METRIC.requests;
  return [
    timeseries(
      {
        title: "Variants: requests",
        description:
          "Requests per second the tap saw for each A/B variant (`other`: no or an unknown variant).",
        unit: "reqps",
        targets: [{ expr: `sum by (${BY}) (${rateOf(requests)})`, legend: "{{model}} {{variant}}" }],
        span: 8,
        stack: true,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: error rate",
        description: "Share of each variant's requests answered 5xx (the sequential test's `errors` metric).",
        unit: "percentunit",
        targets: [
          {
            expr: `(sum by (${BY}) (${rateOf(requests, { code: { re: "5.." } })}) or 0 * sum by (${BY}) (${rateOf(requests)}))\n/\nsum by (${BY}) (${rateOf(requests)})`,
            legend: "{{model}} {{variant}}",
          },
        ],
        span: 8,
        min: 0,
        runbook: variantWorseSpec.name,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: events analysed",
        description:
          "Inference events analysed per second for each variant (tap, CloudEvents, /v1/events with `variant`).",
        unit: "ops",
        targets: [
          {
            expr: `sum by (${BY}) (${rateOf("infermon_variant_events_total")})`,
            legend: "{{model}} {{variant}}",
          },
        ],
        span: 8,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: class share",
        description: "Share of each variant's predictions per predicted class.",
        unit: "percentunit",
        targets: [
          {
            expr: `sum by (${BY}, class) (${rateOf("infermon_variant_predictions_total")})\n/ on (${BY}) group_left\nsum by (${BY}) (${rateOf("infermon_variant_predictions_total")})`,
            legend: "{{model}} {{variant}} {{class}}",
          },
        ],
        span: 12,
        min: 0,
        max: 1,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: median score and value",
        description: "Median predicted score (classification) and value (regression) per variant.",
        unit: "short",
        targets: ["infermon_variant_prediction_score", "infermon_variant_prediction_value"].map((h) => ({
          expr: `histogram_quantile(0.5, sum by (${BY}, le) (${rateOf(`${h}_bucket`)}))`,
          legend: `{{model}} {{variant}} ${h.endsWith("score") ? "score" : "value"}`,
        })),
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: prediction drift",
        description:
          "PSI and Jensen-Shannon distance of each variant's predictions from the reference, per window (present once the variant's window holds min_samples).",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_prediction_psi")})`,
            legend: "{{model}} {{variant}} PSI ({{window}})",
          },
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_prediction_js_distance")})`,
            legend: "{{model}} {{variant}} JS ({{window}})",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: feature drift",
        description: "PSI of each feature among each variant's events, against the reference, per window.",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, feature, window) (${v("infermon_variant_feature_psi")})`,
            legend: "{{model}} {{variant}} {{feature}} ({{window}})",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: accuracy and MAE",
        description:
          "Accuracy (classification) or mean absolute error (regression) of each variant's labelled predictions, per window.",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_model_accuracy")})`,
            legend: "{{model}} {{variant}} accuracy ({{window}})",
          },
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_model_mae")})`,
            legend: "{{model}} {{variant}} MAE ({{window}})",
          },
        ],
        span: 12,
        runbook: variantWorseSpec.name,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: events and labels in the window",
        description:
          "Events and labelled predictions of each variant in each sliding window (the drift and quality gauges need min_samples).",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_window_samples")})`,
            legend: "{{model}} {{variant}} events ({{window}})",
          },
          {
            expr: `max by (${BY}, window) (${v("infermon_variant_window_labeled_samples")})`,
            legend: "{{model}} {{variant}} labelled ({{window}})",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Variants: labelled loss",
        description:
          "Mean loss (share wrong, or absolute error) and root mean square loss of each variant's labelled predictions per rate interval.",
        unit: "short",
        targets: [
          {
            expr: `sum by (${BY}) (${rateOf(VARIANT_METRIC.loss)})\n/\nsum by (${BY}) (${rateOf(VARIANT_METRIC.labeled)})`,
            legend: "{{model}} {{variant}} mean",
          },
          {
            expr: `sqrt(sum by (${BY}) (${rateOf(VARIANT_METRIC.lossSquares)})\n/\nsum by (${BY}) (${rateOf(VARIANT_METRIC.labeled)}))`,
            legend: "{{model}} {{variant}} RMS",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Sequential test: difference and confidence sequence",
        description:
          "Variant minus control, per metric (errors: 5xx share; loss: share wrong or absolute error), with the always-valid confidence sequence. The variant is significantly worse when the lower bound is above 0 (InfermonVariantWorse).",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, metric) (${v(TEST_RECORD.lower)})`,
            legend: "{{model}} {{variant}} {{metric}} lower",
          },
          {
            expr: `max by (${BY}, metric) (${v(TEST_RECORD.difference)})`,
            legend: "{{model}} {{variant}} {{metric}} difference",
          },
          {
            expr: `max by (${BY}, metric) (${v(TEST_RECORD.upper)})`,
            legend: "{{model}} {{variant}} {{metric}} upper",
          },
        ],
        span: 12,
        runbook: variantWorseSpec.name,
      },
      links,
    ),
    timeseries(
      {
        title: "Sequential test: p-value and observations",
        description:
          "The always-valid p-value of no difference (compare with variants.test.alpha), and the observations of each arm since its pods started.",
        unit: "short",
        targets: [
          {
            expr: `max by (${BY}, metric) (${v(TEST_RECORD.pValue)})`,
            legend: "{{model}} {{variant}} {{metric}} p-value",
          },
          {
            expr: `max by (${BY}, metric) (${v(TEST_RECORD.observations)})`,
            legend: "{{model}} {{variant}} {{metric}} observations",
          },
        ],
        span: 12,
      },
      links,
    ),
  ];
}
