// The `quality` section of `infermon drift`'s report (docs/batch-drift.md): realized quality of the
// rows with a target, the CBPE estimate from the scores, how far the estimate was off, and the
// status the model's quality levels give it (the same levels as the generated quality alerts).
import type { Level, ModelConfig } from "../config/model.js";
import { levelReached } from "./drift.js";

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationQuality {
  accuracy: number;
  /** macro averages over the classes present */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** binary: the AUC; multiclass: the macro average of one-vs-rest AUCs; null without scores */
  roc_auc: number | null;
  /** the most the AUC can differ from the exact one (0 when exact) */
  roc_auc_bound?: number;
  classes: Record<string, ClassScores & { roc_auc?: number }>;
  stderr: {
    accuracy: number;
    precision: number | null;
    recall: number | null;
    f1: number | null;
    roc_auc: number | null;
  };
}

export interface RegressionQuality {
  mae: number;
  rmse: number;
  stderr: { mae: number; rmse: number };
}

export interface QualityRows {
  /** rows with a prediction the model's task can read */
  predictions: number;
  /** rows with a readable target (and a prediction) */
  labelled: number;
  /** rows with a target that is not one (wrong type, not a class) */
  invalid_target: number;
}

export interface BatchQualityResult {
  target?: string;
  rows: QualityRows;
  realized?: ClassificationQuality | RegressionQuality;
  estimated?: ClassificationQuality;
  /** estimated minus realized, on the labelled rows */
  estimation_error?: {
    accuracy: number;
    precision: number | null;
    recall: number | null;
    f1: number | null;
    roc_auc: number | null;
  };
}

export type QualityStatus = Level | "insufficient_data";

export interface QualityReport extends BatchQualityResult {
  /**
   * From `quality.accuracy` (classification) or `quality.mae` (regression) on the realized value
   * once `min_samples` rows have a target, else on the estimated accuracy once `min_samples` rows
   * have a score; `insufficient_data` when neither has enough rows; `ok` without levels
   */
  status: QualityStatus;
  /** which value set a warning or critical status */
  reason?: "accuracy" | "estimated_accuracy" | "mae";
}

/** A level from a value below (accuracy) or above (MAE) a warning/critical pair. */
function level(value: number, l: { warning: number; critical: number }, below: boolean): Level {
  if (below ? value < l.critical : value > l.critical) return "critical";
  if (below ? value < l.warning : value > l.warning) return "warning";
  return "ok";
}

/** The quality section judged against the model's quality levels. */
export function judgeQuality(
  model: ModelConfig,
  q: BatchQualityResult,
  estimatedRows: number,
): QualityReport {
  const { accuracy, mae } = model.quality;
  const realized = q.realized;
  // realized once the rows with a target reach min_samples; else the estimate, when it does
  if (realized && q.rows.labelled >= model.minSamples) {
    if ("mae" in realized) {
      const l = mae ? level(realized.mae, mae, false) : "ok";
      return l === "ok" ? { ...q, status: l } : { ...q, status: l, reason: "mae" };
    }
    const l = accuracy ? level(realized.accuracy, accuracy, true) : "ok";
    return l === "ok" ? { ...q, status: l } : { ...q, status: l, reason: "accuracy" };
  }
  if (q.estimated && estimatedRows >= model.minSamples) {
    const l = accuracy ? level(q.estimated.accuracy, accuracy, true) : "ok";
    return l === "ok" ? { ...q, status: l } : { ...q, status: l, reason: "estimated_accuracy" };
  }
  if (realized || q.estimated) return { ...q, status: "insufficient_data" };
  return { ...q, status: "ok" };
}

/** The report's status with the quality's: the worst level; insufficient_data when that is ok and either is. */
export function withQualityStatus(
  drift: Level | "insufficient_data",
  quality: QualityStatus,
): Level | "insufficient_data" {
  const lv = (s: Level | "insufficient_data"): Level => (s === "insufficient_data" ? "ok" : s);
  const worst = levelReached(lv(drift), lv(quality)) ? lv(drift) : lv(quality);
  if (worst === "ok" && (drift === "insufficient_data" || quality === "insufficient_data"))
    return "insufficient_data";
  return worst;
}
