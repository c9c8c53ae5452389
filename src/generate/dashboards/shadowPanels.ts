// The Rollouts dashboard's shadow panels: agreement and differences between the primary's and the
// shadow's answers to the same requests, both sides' error rates and latency, the shadow's
// prediction drift next to the primary's, and what was dropped or skipped.
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { SHADOW_METRIC, shadowAgreementSpec } from "../alerts/shadow.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { q, RATE, timeseries } from "./common.js";

const NO_VERSION = { version: false } as const;
const v = (metric: string, extra?: Record<string, string | { re: string }>) =>
  q(metric, { ...NO_VERSION, ...(extra && { extra }) });
const rateOf = (metric: string, extra?: Record<string, string | { re: string }>) =>
  `rate(${v(metric, extra)}[${RATE}])`;

export function shadowPanels(links: LinkBase): cog.Builder<Panel>[] {
  const c = SHADOW_METRIC.comparisons;
  return [
    timeseries(
      {
        title: "Shadow: agreement",
        description:
          "Share of the rows compared between the primary's and the shadow's answers to the same requests that agree (same class; values within shadow.tolerance).",
        unit: "percentunit",
        targets: [
          {
            expr: `sum by (model) (${rateOf(c, { result: "agree" })})\n/\nsum by (model) (${rateOf(c, { result: { re: "agree|disagree" } })})`,
            legend: "{{model}}",
          },
        ],
        span: 12,
        min: 0,
        max: 1,
        runbook: shadowAgreementSpec.name,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: prediction difference",
        description:
          "Median and 90th percentile of the per-row difference: |Δscore| (classification) or |shadow − primary| / max(|shadow|, |primary|) (regression).",
        unit: "short",
        targets: [0.5, 0.9].map((quantile) => ({
          expr: `histogram_quantile(${quantile}, sum by (model, le) (${rateOf(`${SHADOW_METRIC.difference}_bucket`)}))`,
          legend: `{{model}} p${quantile * 100}`,
        })),
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: error rate, primary and shadow",
        description:
          "Share of the replayed requests answered 5xx by each side (the shadow's 502/504: unreachable or late).",
        unit: "percentunit",
        targets: [
          {
            expr: `sum by (model, side) (${rateOf(SHADOW_METRIC.requests, { code: { re: "5.." } })})\n/\nsum by (model, side) (${rateOf(SHADOW_METRIC.requests)})`,
            legend: "{{model}} {{side}}",
          },
        ],
        span: 12,
        min: 0,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: latency, primary and shadow",
        description: "50th and 99th percentile latency of the replayed requests on each side.",
        unit: "s",
        targets: [0.5, 0.99].map((quantile) => ({
          expr: `histogram_quantile(${quantile}, sum by (model, side, le) (${rateOf(`${SHADOW_METRIC.duration}_bucket`)}))`,
          legend: `{{model}} {{side}} p${quantile * 100}`,
        })),
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: prediction drift, shadow and primary",
        description:
          "PSI, KL and JS of the shadow's predictions against the reference, with the primary's PSI, per window (present once the window holds min_samples).",
        unit: "short",
        targets: [
          {
            expr: `max by (model, window) (${v("infermon_shadow_prediction_psi")})`,
            legend: "{{model}} shadow PSI ({{window}})",
          },
          {
            expr: `max by (model, window) (${v("infermon_shadow_prediction_kl_divergence")})`,
            legend: "{{model}} shadow KL ({{window}})",
          },
          {
            expr: `max by (model, window) (${v("infermon_shadow_prediction_js_distance")})`,
            legend: "{{model}} shadow JS ({{window}})",
          },
          {
            expr: `max by (model, window) (${v(M.predictionPsi)})`,
            legend: "{{model}} primary PSI ({{window}})",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: predictions",
        description:
          "The shadow's predicted classes per second, its median score or value, and its predictions in each window.",
        unit: "short",
        targets: [
          {
            expr: `sum by (model, class) (${rateOf("infermon_shadow_predictions_total")})`,
            legend: "{{model}} class {{class}}/s",
          },
          ...["infermon_shadow_prediction_score", "infermon_shadow_prediction_value"].map((h) => ({
            expr: `histogram_quantile(0.5, sum by (model, le) (${rateOf(`${h}_bucket`)}))`,
            legend: `{{model}} median ${h.endsWith("score") ? "score" : "value"}`,
          })),
          {
            expr: `max by (model, window) (${v("infermon_shadow_window_samples")})`,
            legend: "{{model}} in window {{window}}",
          },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: dropped, skipped and compared",
        description:
          "Replays dropped before sending (queue_full, overload, body_too_large, shutdown), requests not compared (shadow_failed, primary_failed, unreadable, row_mismatch, response_too_large), and rows compared, per second.",
        unit: "ops",
        targets: [
          {
            expr: `sum by (model, reason) (${rateOf(SHADOW_METRIC.dropped)})`,
            legend: "{{model}} dropped {{reason}}",
          },
          {
            expr: `sum by (model, reason) (${rateOf(SHADOW_METRIC.skipped)})`,
            legend: "{{model}} skipped {{reason}}",
          },
          { expr: `sum by (model, result) (${rateOf(c)})`, legend: "{{model}} {{result}}" },
        ],
        span: 12,
      },
      links,
    ),
    timeseries(
      {
        title: "Shadow: in flight and queued",
        description:
          "Shadow requests in flight (at most shadow.max_in_flight) and replays waiting (at most shadow.queue_size).",
        unit: "short",
        targets: [
          { expr: `sum by (model) (${v("infermon_shadow_in_flight")})`, legend: "{{model}} in flight" },
          { expr: `sum by (model) (${v("infermon_shadow_queue_depth")})`, legend: "{{model}} queued" },
        ],
        span: 12,
      },
      links,
    ),
  ];
}
