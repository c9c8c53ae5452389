// Predictions: score distribution heatmap, class share, regression value quantiles.
import { ALERT_PREFIX } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { type DashboardParts, heatmap, q, RATE, timeseries } from "./common.js";

export function predictions(links: LinkBase): DashboardParts {
  return {
    key: "predictions",
    description: "What the models predict: score distribution, class share and regression value quantiles.",
    panels: [
      heatmap(
        {
          title: "Score distribution",
          description:
            "Predicted scores of classification models over time (histogram buckets per rate interval).",
          unit: "short",
          targets: [
            {
              expr: `sum by (le) (increase(${q(`${M.predictionScore}_bucket`)}[${RATE}]))`,
              legend: "{{le}}",
              heatmap: true,
            },
          ],
          span: 12,
          height: 10,
          runbook: `${ALERT_PREFIX}PredictionDrift`,
        },
        links,
      ),
      timeseries(
        {
          title: "Class share",
          description: "Share of predictions per predicted class, per model.",
          unit: "percentunit",
          targets: [
            {
              expr: `sum by (model, class) (rate(${q(M.predictions)}[${RATE}]))\n/ on (model) group_left\nsum by (model) (rate(${q(M.predictions)}[${RATE}]))`,
              legend: "{{model}} {{class}}",
            },
          ],
          span: 12,
          height: 10,
          stack: true,
          min: 0,
          max: 1,
        },
        links,
      ),
      timeseries(
        {
          title: "Regression value quantiles",
          description: "10th, 50th and 90th percentiles of predicted values of regression models.",
          unit: "short",
          targets: [0.1, 0.5, 0.9].map((quantile) => ({
            expr: `histogram_quantile(${quantile}, sum by (model, le) (rate(${q(`${M.predictionValue}_bucket`)}[${RATE}])))`,
            legend: `{{model}} p${Math.round(quantile * 100)}`,
          })),
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Predictions",
          description: "Predictions per second per model and version.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, model_version) (rate(${q(M.predictions)}[${RATE}]))`,
              legend: "{{model}} v{{model_version}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "LLM tokens",
          description: "Tokens per second of openai-chat models, per model and type (prompt, completion).",
          unit: "short",
          targets: [
            {
              expr: `sum by (model, type) (rate(${q(M.llmTokens, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{type}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "LLM finish reasons",
          description:
            "Completions per second of openai-chat models, per model and finish reason (length: cut at max_tokens; content_filter: refused).",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, reason) (rate(${q(M.llmFinishReasons, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{reason}}",
            },
          ],
          span: 12,
        },
        links,
      ),
    ],
  };
}
