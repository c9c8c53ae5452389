// Sets the CBPE gauges (infermon_model_estimated_*) of one window from an estimate: accuracy,
// precision/recall/F1 per class and macro (no class), ROC AUC (binary without class; multiclass
// per class and macro), each with its standard error.
import type { Estimate } from "../stats/cbpe.js";
import type { QualityMetrics } from "./qualityMetrics.js";

type Labels = { model: string; model_version: string; window: string };

export function setEstimate(
  m: QualityMetrics,
  l: Labels,
  e: Estimate,
  classes: readonly string[],
  binary: boolean,
): void {
  const g = m.estimated;
  const se = m.estimatedStderr;
  g.accuracy.set(l, e.accuracy);
  se.accuracy.set(l, e.stderr.accuracy);
  if (e.macro && e.stderr.macro) setScores(m, l, e.macro, e.stderr.macro);
  e.perClass.forEach((s, i) => {
    const sse = e.stderr.perClass[i];
    if (s && sse) setScores(m, { ...l, class: classes[i] as string }, s, sse);
  });
  if (Number.isFinite(e.auc)) {
    g.rocAuc.set(l, e.auc);
    se.rocAuc.set(l, e.stderr.auc);
  }
  if (binary) return;
  e.perClassAuc.forEach((a, i) => {
    const s = e.stderr.perClassAuc[i];
    if (a === undefined || s === undefined) return;
    const lc = { ...l, class: classes[i] as string };
    g.rocAuc.set(lc, a);
    se.rocAuc.set(lc, s);
  });
}

function setScores(
  m: QualityMetrics,
  l: Labels & { class?: string },
  s: { precision: number; recall: number; f1: number },
  se: { precision: number; recall: number; f1: number },
): void {
  m.estimated.precision.set(l, s.precision);
  m.estimated.recall.set(l, s.recall);
  m.estimated.f1.set(l, s.f1);
  m.estimatedStderr.precision.set(l, se.precision);
  m.estimatedStderr.recall.set(l, se.recall);
  m.estimatedStderr.f1.set(l, se.f1);
}
