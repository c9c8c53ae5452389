// The gauges of one window of a model's label join, set when /metrics is scraped: MAE and RMSE,
// or accuracy, precision, recall and F1 (macro and per class), the realized ROC AUC when the
// scores are binned, and the estimate's error against what the labels showed; each with its
// standard error.
import type { ModelConfig } from "../config/model.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import { estimate } from "../stats/cbpe.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import type { LabelValues } from "./labelValues.js";
import { classificationMetrics, type QualityKind, regressionMetrics } from "./qualityCounts.js";
import { labelledBinCounts, realizedAuc, scoredCounts } from "./qualityScores.js";

export interface GaugeModel {
  model: ModelConfig;
  metrics: QualityMetrics;
  kind: QualityKind;
  values: LabelValues;
  /** the number of configured classes */
  k: number;
  scores: ScoreBins | undefined;
}

export type WindowLabels = { model: string; model_version: string; window: string };

/** The gauges of a window with counts `c` (enough samples: the caller checks min_samples). */
export function setWindowGauges(g: GaugeModel, c: Float64Array, l: WindowLabels): void {
  const m = g.metrics;
  const se = m.stderr;
  if (g.kind.task === "regression") {
    const r = regressionMetrics(c);
    m.mae.set(l, r.mae);
    m.rmse.set(l, r.rmse);
    se.mae.set(l, r.maeStderr);
    se.rmse.set(l, r.rmseStderr);
    return;
  }
  const q = classificationMetrics(c, g.k);
  m.accuracy.set(l, q.accuracy);
  se.accuracy.set(l, q.stderr.accuracy);
  if (g.scores) setAuc(g, c, l);
  if (g.scores?.calibrated) setEstimationError(g, c, l);
  if (!q.macro) return;
  setScores(m, l, q.macro, q.stderr.macro);
  q.perClass.forEach((s, i) => {
    if (s) setScores(m, { ...l, class: g.values.classes[i] as string }, s, q.stderr.perClass[i]);
  });
}

/**
 * The estimate's check once labels arrived: CBPE on the window's labelled predictions (from
 * their scores alone) minus their realized quality, per metric.
 */
function setEstimationError(g: GaugeModel, c: Float64Array, l: WindowLabels): void {
  const s = g.scores as ScoreBins;
  const { predicted, notPredicted } = labelledBinCounts(c, g.k, s);
  const e = estimate(s, g.k, predicted, notPredicted);
  if (!e || e.n < g.model.minSamples) return;
  const r = classificationMetrics(scoredCounts(c, g.k, s), g.k);
  const auc = realizedAuc(c, g.k, s);
  const err = g.metrics.estimationError;
  const set = (metric: string, est: number | undefined, real: number | undefined) => {
    if (est !== undefined && real !== undefined && Number.isFinite(est) && Number.isFinite(real))
      err.set({ ...l, metric }, est - real);
  };
  set("accuracy", e.accuracy, r.accuracy);
  set("precision", e.macro?.precision, r.macro?.precision);
  set("recall", e.macro?.recall, r.macro?.recall);
  set("f1", e.macro?.f1, r.macro?.f1);
  set("roc_auc", e.auc, auc?.auc);
}

/** Realized ROC AUC: binary without a class label; multiclass per class and macro. */
function setAuc(g: GaugeModel, c: Float64Array, l: WindowLabels): void {
  const a = realizedAuc(c, g.k, g.scores as ScoreBins);
  if (!a) return;
  const m = g.metrics;
  m.rocAuc.set(l, a.auc);
  m.stderr.rocAuc.set(l, a.stderr);
  if (g.values.classes.length === 2 && g.model.task === "binary_classification") return;
  a.perClass.forEach((x, i) => {
    if (!x) return;
    const lc = { ...l, class: g.values.classes[i] as string };
    m.rocAuc.set(lc, x.auc);
    m.stderr.rocAuc.set(lc, x.stderr);
  });
}

function setScores(
  m: QualityMetrics,
  l: Record<string, string>,
  s: { precision: number; recall: number; f1: number },
  se: { precision: number; recall: number; f1: number } | undefined,
): void {
  m.precision.set(l, s.precision);
  m.recall.set(l, s.recall);
  m.f1.set(l, s.f1);
  if (!se) return;
  m.stderr.precision.set(l, se.precision);
  m.stderr.recall.set(l, se.recall);
  m.stderr.f1.set(l, se.f1);
}
