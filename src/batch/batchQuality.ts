// Model quality of a batch (infermon drift): with the target column (labels.target), the realized
// accuracy, precision, recall, F1 and ROC AUC (classification; exact AUC from sorted scores) or
// MAE and RMSE (regression), each with its standard error; with a calibration in the profile, the
// CBPE estimate from the scores alone (docs/adr/0022-estimated-performance.md), and on the
// labelled rows how far it was off. Predictions and targets are read as the agent reads
// predictions and labels.
import type { ModelConfig } from "../config/model.js";
import { LabelValues } from "../labels/labelValues.js";
import {
  addClassification,
  addRegression,
  classificationMetrics,
  countsWidth,
  regressionMetrics,
} from "../labels/qualityCounts.js";
import { addScoreBins, labelledBinCounts, realizedAuc, scoredCounts } from "../labels/qualityScores.js";
import { type PredictionReader, predictionReader } from "../monitor/predictionReading.js";
import { type Estimate, estimate } from "../stats/cbpe.js";
import type { BatchQualityResult, ClassificationQuality, QualityRows } from "../stats/qualityReport.js";
import { aucStandardError, exactAuc } from "../stats/rocAuc.js";
import type { ScoreBins } from "../stats/scoreBins.js";

/** Labelled scores kept per class for the exact AUC; past it the AUC is the histogram's, with its bound. */
export const EXACT_AUC_ROWS = 20_000_000;

class Growable {
  data = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = x;
  }
}

export class BatchQuality {
  private readonly read: PredictionReader;
  private readonly values: LabelValues;
  private readonly k: number;
  private readonly counts: Float64Array;
  private readonly bins: Int32Array;
  private readonly rec: Float64Array;
  /** CBPE over every scored row: per flat bin, predicted as the bin's class or not */
  private readonly predicted: Float64Array;
  private readonly notPredicted: Float64Array;
  /** exact AUC: per scored class, the labelled rows' scores, with +score for positives kept apart */
  private readonly exact: { pos: Growable; neg: Growable }[];
  private exactDropped = false;
  private readonly classIndex = new Map<string, number>();
  readonly rows: QualityRows = { predictions: 0, labelled: 0, invalid_target: 0 };

  constructor(
    private readonly model: ModelConfig,
    private readonly scores: ScoreBins | undefined,
    private readonly withTarget: boolean,
  ) {
    this.read = predictionReader(model);
    this.values = new LabelValues(model);
    this.k = this.values.classes.length;
    const regression = model.task === "regression";
    this.counts = new Float64Array(
      countsWidth(
        regression
          ? { task: "regression" }
          : { task: "classification", classes: this.k, scoreBins: scores?.bins ?? 0 },
      ),
    );
    const e = scores?.entries.length ?? 0;
    this.bins = new Int32Array(e);
    this.rec = new Float64Array(2 + e);
    this.predicted = new Float64Array(scores?.bins ?? 0);
    this.notPredicted = new Float64Array(scores?.bins ?? 0);
    this.exact = Array.from({ length: e }, () => ({ pos: new Growable(), neg: new Growable() }));
    this.values.classes.forEach((c, i) => {
      this.classIndex.set(c, i);
    });
  }

  /** One row: its prediction and (with a target column) its target. */
  add(prediction: unknown, target: unknown): void {
    if (prediction === null || prediction === undefined) return;
    const p = this.read(prediction);
    const value = this.values.prediction(p.cls, p.score);
    if (value === undefined) return;
    this.rows.predictions++;
    const s = this.scores;
    const scored = s ? s.fill(p.score, p.probs, this.bins) : false;
    if (s && scored) {
      s.entries.forEach((entry, e) => {
        const b = this.bins[e] as number;
        if (b < 0) return;
        (value === entry.classIndex ? this.predicted : this.notPredicted)[entry.offset + b]! += 1;
      });
    }
    if (!this.withTarget || target === null || target === undefined || target === "") return;
    const actual = this.values.label(target);
    if (actual === undefined) {
      this.rows.invalid_target++;
      return;
    }
    this.rows.labelled++;
    if (this.model.task === "regression") {
      addRegression(this.counts, value, actual);
      return;
    }
    addClassification(this.counts, this.k, value, actual);
    if (!s || !scored) return;
    this.rec[0] = value;
    this.rec[1] = actual;
    for (let e = 0; e < this.bins.length; e++) this.rec[2 + e] = this.bins[e] as number;
    addScoreBins(this.counts, this.k, s, this.rec, 2, value, actual);
    if (this.exactDropped) return;
    s.entries.forEach((entry, e) => {
      if ((this.bins[e] as number) < 0) return;
      const sc = s.binary ? (p.score as number) : Number(p.probs?.[entry.classIndex]);
      const x = this.exact[e] as { pos: Growable; neg: Growable };
      (actual === entry.classIndex ? x.pos : x.neg).push(sc);
    });
    if (this.rows.labelled > EXACT_AUC_ROWS) {
      // memory stays bounded: the histogram's AUC and its bound from here on
      this.exactDropped = true;
      this.exact.length = 0;
    }
  }

  result(): BatchQualityResult {
    const out: BatchQualityResult = { rows: this.rows };
    if (this.model.labels.target !== undefined) out.target = this.model.labels.target;
    if (this.model.task === "regression") {
      if (this.rows.labelled > 0) {
        const r = regressionMetrics(this.counts);
        out.realized = { mae: r.mae, rmse: r.rmse, stderr: { mae: r.maeStderr, rmse: r.rmseStderr } };
      }
      return out;
    }
    const s = this.scores;
    if (this.rows.labelled > 0) out.realized = this.realized();
    if (s?.calibrated) {
      const e = estimate(s, this.k, this.predicted, this.notPredicted);
      if (e) out.estimated = this.fromEstimate(e);
      if (this.rows.labelled > 0) {
        const { predicted, notPredicted } = labelledBinCounts(this.counts, this.k, s);
        const onLabelled = estimate(s, this.k, predicted, notPredicted);
        const r = classificationMetrics(scoredCounts(this.counts, this.k, s), this.k);
        const auc = this.realizedAuc();
        if (onLabelled) {
          const d = (a: number | undefined, b: number | undefined) =>
            a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? null : a - b;
          out.estimation_error = {
            accuracy: d(onLabelled.accuracy, r.accuracy) ?? Number.NaN,
            precision: d(onLabelled.macro?.precision, r.macro?.precision),
            recall: d(onLabelled.macro?.recall, r.macro?.recall),
            f1: d(onLabelled.macro?.f1, r.macro?.f1),
            roc_auc: d(onLabelled.auc, auc?.auc),
          };
        }
      }
    }
    return out;
  }

  private realized(): ClassificationQuality {
    const q = classificationMetrics(this.counts, this.k);
    const auc = this.realizedAuc();
    const classes: ClassificationQuality["classes"] = {};
    q.perClass.forEach((c, i) => {
      if (!c) return;
      const name = this.values.classes[i] as string;
      const a = auc?.perClass[i];
      classes[name] = { ...c, ...(a !== undefined && !this.scores?.binary && { roc_auc: a }) };
    });
    return {
      accuracy: q.accuracy,
      precision: q.macro?.precision ?? null,
      recall: q.macro?.recall ?? null,
      f1: q.macro?.f1 ?? null,
      roc_auc: auc?.auc ?? null,
      ...(auc && { roc_auc_bound: auc.bound }),
      classes,
      stderr: {
        accuracy: q.stderr.accuracy,
        precision: q.stderr.macro?.precision ?? null,
        recall: q.stderr.macro?.recall ?? null,
        f1: q.stderr.macro?.f1 ?? null,
        roc_auc: auc?.stderr ?? null,
      },
    };
  }

  /** Exact when the scores were all kept (sorted: scikit-learn's), else the histogram's with its bound. */
  private realizedAuc():
    | { auc: number; stderr: number; bound: number; perClass: (number | undefined)[] }
    | undefined {
    const s = this.scores;
    if (!s) return undefined;
    if (this.exactDropped) {
      const a = realizedAuc(this.counts, this.k, s);
      if (!a) return undefined;
      return { auc: a.auc, stderr: a.stderr, bound: a.bound, perClass: a.perClass.map((x) => x?.auc) };
    }
    const perClass: (number | undefined)[] = new Array(this.k).fill(undefined);
    const aucs: number[] = [];
    const ses: number[] = [];
    s.entries.forEach((entry, e) => {
      const x = this.exact[e] as { pos: Growable; neg: Growable };
      const n = x.pos.n + x.neg.n;
      if (x.pos.n === 0 || x.neg.n === 0) return;
      const scores = new Float64Array(n);
      scores.set(x.pos.data.subarray(0, x.pos.n));
      scores.set(x.neg.data.subarray(0, x.neg.n), x.pos.n);
      const positive = new Uint8Array(n);
      positive.fill(1, 0, x.pos.n);
      const a = exactAuc(scores, positive);
      perClass[entry.classIndex] = a;
      aucs.push(a);
      ses.push(aucStandardError(a, x.pos.n, x.neg.n));
    });
    if (aucs.length === 0) return undefined;
    const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const se = Math.sqrt(ses.reduce((a, b) => a + b * b, 0)) / ses.length;
    return { auc: mean, stderr: se, bound: 0, perClass };
  }

  private fromEstimate(e: Estimate): ClassificationQuality {
    const classes: ClassificationQuality["classes"] = {};
    e.perClass.forEach((c, i) => {
      if (!c) return;
      const a = e.perClassAuc[i];
      classes[this.values.classes[i] as string] = {
        ...c,
        ...(a !== undefined && !this.scores?.binary && { roc_auc: a }),
      };
    });
    return {
      accuracy: e.accuracy,
      precision: e.macro?.precision ?? null,
      recall: e.macro?.recall ?? null,
      f1: e.macro?.f1 ?? null,
      roc_auc: Number.isFinite(e.auc) ? e.auc : null,
      classes,
      stderr: {
        accuracy: e.stderr.accuracy,
        precision: e.stderr.macro?.precision ?? null,
        recall: e.stderr.macro?.recall ?? null,
        f1: e.stderr.macro?.f1 ?? null,
        roc_auc: Number.isFinite(e.stderr.auc) ? e.stderr.auc : null,
      },
    };
  }

  /** Scored predictions the estimate is over. */
  get estimatedRows(): number {
    let n = 0;
    const e = this.scores?.entries[0];
    if (!e) return 0;
    for (let b = 0; b < e.size; b++)
      n += (this.predicted[e.offset + b] as number) + (this.notPredicted[e.offset + b] as number);
    return n;
  }
}
