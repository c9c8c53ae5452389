// Quality: accuracy/precision/recall/F1 or MAE/RMSE, label coverage and label delay.
import { ALERT_PREFIX } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { type DashboardParts, q, RATE, timeseries } from "./common.js";

export function quality(links: LinkBase): DashboardParts {
  const noVersion = { version: false } as const;
  return {
    key: "quality",
    description: "Model quality on labelled predictions, and how labels arrive.",
    panels: [
      timeseries(
        {
          title: "Classification quality",
          description:
            "Accuracy, precision, recall and F1 on labelled predictions, per window (per class where given).",
          unit: "percentunit",
          targets: (
            [
              [M.accuracy, "accuracy"],
              [M.precision, "precision"],
              [M.recall, "recall"],
              [M.f1, "F1"],
            ] as const
          ).map(([metric, what]) => ({
            expr: q(metric),
            legend: `{{model}} ${what} {{class}} ({{window}})`,
          })),
          span: 12,
          runbook: `${ALERT_PREFIX}ModelAccuracyLow`,
        },
        links,
      ),
      timeseries(
        {
          title: "Regression error",
          description: "Mean absolute error and root mean squared error on labelled predictions, per window.",
          unit: "short",
          targets: [
            { expr: q(M.mae), legend: "{{model}} MAE ({{window}})" },
            { expr: q(M.rmse), legend: "{{model}} RMSE ({{window}})" },
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}ModelErrorHigh`,
        },
        links,
      ),
      timeseries(
        {
          title: "Label coverage",
          description:
            "Labels matched to a prediction per analysed event: the share of traffic whose quality is known.",
          unit: "percentunit",
          targets: [
            {
              expr: `sum by (model) (rate(${q(M.labels, { ...noVersion, extra: { outcome: "matched" } })}[${RATE}]))\n/\nsum by (model) (rate(${q(M.events, noVersion)}[${RATE}]))`,
              legend: "{{model}}",
            },
          ],
          span: 8,
          min: 0,
          runbook: `${ALERT_PREFIX}LabelsNotArriving`,
        },
        links,
      ),
      timeseries(
        {
          title: "Label delay",
          description: "Time from prediction to label arrival (50th and 90th percentiles).",
          unit: "s",
          targets: [0.5, 0.9].map((quantile) => ({
            expr: `histogram_quantile(${quantile}, sum by (model, le) (rate(${q(`${M.labelDelay}_bucket`, noVersion)}[${RATE}])))`,
            legend: `{{model}} p${quantile * 100}`,
          })),
          span: 8,
        },
        links,
      ),
      timeseries(
        {
          title: "Labels by outcome",
          description:
            "Labels received per second: matched, unmatched, duplicate, conflict (a label that disagrees with the one held: a sign of a forger or a relabelling job), invalid; and predictions expiring unjoined.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, outcome) (rate(${q(M.labels, noVersion)}[${RATE}]))`,
              legend: "{{model}} {{outcome}}",
            },
            {
              expr: `sum by (model) (rate(${q(M.joinExpired, noVersion)}[${RATE}]))`,
              legend: "{{model}} expired",
            },
          ],
          span: 8,
          runbook: `${ALERT_PREFIX}LabelJoinExpired`,
        },
        links,
      ),
      timeseries(
        {
          title: "Labelled predictions",
          description: "Labelled predictions judged correct or incorrect per second (the correctness SLI).",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, result) (rate(${q(M.labeled)}[${RATE}]))`,
              legend: "{{model}} {{result}}",
            },
          ],
          span: 12,
          stack: true,
          runbook: `${ALERT_PREFIX}CorrectnessErrorBudgetBurn`,
        },
        links,
      ),
      timeseries(
        {
          title: "Labels by source",
          description:
            "Labels received per second per model and source (the sender named in the ingest's web config, http for anonymous senders, cloudevents, kafka), and entries the label join evicted early per source to make room: a flooding source evicts its own entries first.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, source) (rate(${q(M.labels, noVersion)}[${RATE}]))`,
              legend: "{{model}} {{source}}",
            },
            {
              expr: `sum by (model, source) (rate(${q(M.joinEvicted, noVersion)}[${RATE}]))`,
              legend: "{{model}} {{source}} evicted",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Predictions waiting for a label",
          description:
            "Predictions held in the label-join buffer, and labels that arrived before their prediction and wait for it.",
          unit: "short",
          targets: [
            { expr: `sum by (model) (${q(M.joinPending, noVersion)})`, legend: "{{model}} predictions" },
            { expr: `sum by (model) (${q(M.joinWaitingLabels, noVersion)})`, legend: "{{model}} labels" },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Labelled predictions in the window",
          description:
            "Labelled predictions in each sliding window; the quality gauges appear once a window holds min_samples.",
          unit: "short",
          targets: [
            {
              expr: `max by (model, window) (${q(M.windowLabeled)})`,
              legend: "{{model}} {{window}}",
            },
          ],
          span: 12,
        },
        links,
      ),
    ],
  };
}
