// Quality: accuracy/precision/recall/F1, ROC AUC or MAE/RMSE — each with its ± 2 standard errors
// band — label coverage and label delay.
import { ALERT_PREFIX } from "../conventions.js";
import { FLEET_QUALITY_RECORD } from "../fleetQuality.js";
import type { LinkBase } from "../links.js";
import { M } from "../promql.js";
import { barGauge, type DashboardParts, q, RATE, timeseries, withBand } from "./common.js";

const STDERR = (metric: string) => `${metric}_stderr`;

export function quality(links: LinkBase): DashboardParts {
  const noVersion = { version: false } as const;
  return {
    key: "quality",
    description: "Model quality on labelled predictions, and how labels arrive.",
    panels: [
      timeseries(
        {
          title: "Accuracy: realized and estimated",
          description:
            "Share of labelled predictions that were correct (realized, by label arrival), and the accuracy of the window's predictions estimated from their calibrated scores before any label (CBPE, by prediction time), per window and pod, each with dashed bounds at ± 2 standard errors: the band another window of the same size would fall in. The estimate leads the realized value by the label delay.",
          unit: "percentunit",
          targets: [
            ...withBand(q(M.accuracy), q(STDERR(M.accuracy)), "{{model}} accuracy ({{window}})"),
            ...withBand(
              q(M.estimatedAccuracy),
              q(STDERR(M.estimatedAccuracy)),
              "{{model}} estimated accuracy ({{window}})",
            ),
          ],
          span: 12,
          runbook: `${ALERT_PREFIX}ModelEstimatedAccuracyLow`,
        },
        links,
      ),
      timeseries(
        {
          title: "ROC AUC",
          description:
            "ROC AUC of labelled predictions from score histograms (exact up to the bins: docs/metrics.md), per pod with ± 2 standard errors, and fleet-wide (all pods' counters merged); next to it the AUC estimated from calibrated scores before labels (CBPE). Binary: one value; multiclass: one-vs-rest per class and the macro average.",
          unit: "percentunit",
          targets: [
            ...withBand(q(M.rocAuc), q(STDERR(M.rocAuc)), "{{model}} AUC {{class}} ({{window}})"),
            ...withBand(
              q(M.estimatedRocAuc),
              q(STDERR(M.estimatedRocAuc)),
              "{{model}} estimated AUC {{class}} ({{window}})",
            ),
            {
              expr: q(FLEET_QUALITY_RECORD.auc, { version: true }),
              legend: "{{model}} AUC, fleet ({{window}})",
            },
          ],
          span: 12,
        },
        links,
      ),
      barGauge(
        {
          title: "Labelled predictions by score bin",
          description:
            "Over the dashboard's time range, labelled predictions per bin of each class's score, positives (the label is the class) and negatives: what the ROC AUC is computed from. Well-separated classes put positives in the high bins.",
          unit: "short",
          targets: [
            {
              expr: `sum by (model, class, truth, bin) (increase(${q(M.scoreBins)}[$__range]))`,
              legend: "{{model}} {{class}} {{truth}} {{bin}}",
              instant: true,
            },
          ],
          span: 12,
          height: 10,
          min: 0,
        },
        links,
      ),
      timeseries(
        {
          title: "Precision, recall and F1",
          description:
            "Per class where given, and their macro average (no class), on labelled predictions, per window, with dashed bounds at ± 2 standard errors.",
          unit: "percentunit",
          targets: (
            [
              [M.precision, "precision"],
              [M.recall, "recall"],
              [M.f1, "F1"],
            ] as const
          ).flatMap(([metric, what]) =>
            withBand(q(metric), q(STDERR(metric)), `{{model}} ${what} {{class}} ({{window}})`),
          ),
          span: 24,
        },
        links,
      ),
      timeseries(
        {
          title: "Estimated precision, recall and F1",
          description:
            "Estimated from the calibrated scores of the window's predictions before labels (CBPE), per class and macro (no class), with dashed bounds at ± 2 standard errors: where the realized values should fall if the calibration holds.",
          unit: "percentunit",
          targets: (
            [
              [M.estimatedPrecision, "precision"],
              [M.estimatedRecall, "recall"],
              [M.estimatedF1, "F1"],
            ] as const
          ).flatMap(([metric, what]) =>
            withBand(q(metric), q(STDERR(metric)), `{{model}} estimated ${what} {{class}} ({{window}})`),
          ),
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Estimation error",
          description:
            "Estimated minus realized quality on the same labelled predictions (the estimate from their scores alone): near 0 while the calibration holds; a steady offset means the reference's calibration no longer fits (concept drift) and the estimates should not be trusted.",
          unit: "percentunit",
          targets: [
            {
              expr: q(M.estimationError),
              legend: "{{model}} {{metric}} ({{window}})",
            },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Regression error",
          description:
            "Mean absolute error and root mean squared error on labelled predictions, per window, with dashed bounds at ± 2 standard errors.",
          unit: "short",
          targets: [
            ...withBand(q(M.mae), q(STDERR(M.mae)), "{{model}} MAE ({{window}})"),
            ...withBand(q(M.rmse), q(STDERR(M.rmse)), "{{model}} RMSE ({{window}})"),
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
