// CBPE against realized quality on simulated calibrated scores: the reference's calibration is
// learned from rows whose labels are drawn with the scores' probabilities, then windows of new
// predictions (shifted towards uncertain scores, so quality drops) are estimated from their scores
// alone and compared with their realized quality, computed here with scikit-learn's formulas and
// the exact pairwise AUC. The estimate must fall within its standard errors: ~95 % of windows
// within 2, all within 4.
import { describe, expect, it } from "vitest";
import { ScoreProfileBuilder } from "../../src/batch/scoreProfileBuilder.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";
import { rng } from "../../src/demo/creditData.js";
import { numericBinIndex } from "../../src/stats/binning.js";
import { type Estimate, estimate } from "../../src/stats/cbpe.js";
import { exactAuc } from "../../src/stats/rocAuc.js";
import { ScoreBins } from "../../src/stats/scoreBins.js";

const r = rng(2024);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function binaryModel(): ModelConfig {
  return parseConfig(`models:
  - name: m
    task: binary_classification
    prediction: {classes: ["0", "1"], threshold: 0.5, score_bins: 50}
    labels: {target: y}
`).models[0] as ModelConfig;
}

function multiclassModel(): ModelConfig {
  return parseConfig(`models:
  - name: m
    task: multiclass_classification
    prediction: {classes: [a, b, c], score_bins: 40}
    labels: {target: y}
`).models[0] as ModelConfig;
}

/** A calibrated binary score: logit ~ N(mu, sd); the label is drawn with that probability. */
function binaryRow(mu: number, sd: number): { s: number; y: number } {
  const s = sigmoid(mu + sd * r.normal());
  return { s, y: r.next() < s ? 1 : 0 };
}

/** Calibrated multiclass probabilities (softmax of normal logits); the label drawn from them. */
function multiRow(shift: number): { p: number[]; y: number } {
  const z = [1.5 * r.normal() + shift, 1.5 * r.normal(), 1.5 * r.normal() - shift];
  const e = z.map(Math.exp);
  const t = e.reduce((a, b) => a + b, 0);
  const p = e.map((x) => x / t);
  let u = r.next();
  let y = 2;
  for (let k = 0; k < 3; k++) {
    u -= p[k] as number;
    if (u <= 0) {
      y = k;
      break;
    }
  }
  return { p, y };
}

function scoreBins(model: ModelConfig, rows: { pred: unknown; y: unknown }[]): ScoreBins {
  const b = new ScoreProfileBuilder(model, true);
  for (const x of rows) b.observe(x.pred);
  b.fixBins();
  for (const x of rows) b.count(x.pred, x.y);
  return ScoreBins.forModel(model, b.build()) as ScoreBins;
}

/** scikit-learn's metrics (zero_division=0), macro over classes present, and per-class AUC. */
function realized(pred: number[], truth: number[], scores: number[][], k: number) {
  const n = pred.length;
  let correct = 0;
  const per: { precision: number; recall: number; f1: number }[] = [];
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let pp = 0;
    let ap = 0;
    for (let i = 0; i < n; i++) {
      if (pred[i] === c) pp++;
      if (truth[i] === c) ap++;
      if (pred[i] === c && truth[i] === c) tp++;
    }
    if (pp + ap === 0) continue;
    per.push({ precision: pp ? tp / pp : 0, recall: ap ? tp / ap : 0, f1: (2 * tp) / (pp + ap) });
  }
  for (let i = 0; i < n; i++) if (pred[i] === truth[i]) correct++;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const aucs = scores.map((s, c) =>
    exactAuc(
      s,
      truth.map((t) => t === c),
    ),
  );
  return {
    accuracy: correct / n,
    precision: mean(per.map((x) => x.precision)),
    recall: mean(per.map((x) => x.recall)),
    f1: mean(per.map((x) => x.f1)),
    auc: mean(aucs.filter((a) => Number.isFinite(a))),
  };
}

/** CBPE's input from one window: per flat bin, predicted as the bin's class or not. */
function window(bins: ScoreBins, rows: { scores: number[]; pred: number }[]) {
  const predicted = new Float64Array(bins.bins);
  const notPredicted = new Float64Array(bins.bins);
  for (const x of rows)
    bins.entries.forEach((e) => {
      const s = bins.binary ? (x.scores[0] as number) : (x.scores[e.classIndex] as number);
      const j = e.offset + numericBinIndex(e.edges, s);
      if (x.pred === e.classIndex) predicted[j]! += 1;
      else notPredicted[j]! += 1;
    });
  return { predicted, notPredicted };
}

type Metric = "accuracy" | "precision" | "recall" | "f1" | "auc";
const METRICS: Metric[] = ["accuracy", "precision", "recall", "f1", "auc"];
const est = (e: Estimate, m: Metric) =>
  m === "auc" ? e.auc : m === "accuracy" ? e.accuracy : (e.macro?.[m] as number);
const se = (e: Estimate, m: Metric) =>
  m === "auc" ? e.stderr.auc : m === "accuracy" ? e.stderr.accuracy : (e.stderr.macro?.[m] as number);

/** z-scores of (estimate − realized) / SE over windows, per metric. */
function check(zs: Record<Metric, number[]>, metrics: Metric[]) {
  for (const m of metrics) {
    const z = zs[m];
    const within2 = z.filter((x) => Math.abs(x) <= 2).length / z.length;
    expect(Math.max(...z.map(Math.abs)), `${m}: largest |z|`).toBeLessThan(4.5);
    expect(within2, `${m}: share within 2 SE`).toBeGreaterThan(0.85);
    // the estimate is not biased: the mean z is near 0
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    expect(Math.abs(mean), `${m}: mean z`).toBeLessThan(0.4);
  }
}

describe("CBPE (estimated performance) on calibrated scores", () => {
  it("binary: accuracy, precision, recall, F1 and ROC AUC within their standard errors", () => {
    const model = binaryModel();
    const reference = Array.from({ length: 20_000 }, () => binaryRow(-0.5, 1.8));
    const bins = scoreBins(
      model,
      reference.map((x) => ({ pred: x.s, y: String(x.y) })),
    );
    expect(bins.calibrated).toBe(true);
    const zs = Object.fromEntries(METRICS.map((m) => [m, [] as number[]])) as Record<Metric, number[]>;
    const worse: number[] = [];
    for (let w = 0; w < 120; w++) {
      // shifted windows: scores closer to 0.5 (less confident), so realized accuracy falls
      const rows = Array.from({ length: 1500 }, () => binaryRow(-0.2 + (w % 3) * 0.2, 0.9 + (w % 4) * 0.3));
      const pred = rows.map((x) => (x.s >= 0.5 ? 1 : 0));
      const truth = rows.map((x) => x.y);
      const real = realized(pred, truth, [rows.map((x) => 1 - x.s), rows.map((x) => x.s)], 2);
      const { predicted, notPredicted } = window(
        bins,
        rows.map((x, i) => ({ scores: [x.s], pred: pred[i] as number })),
      );
      const e = estimate(bins, 2, predicted, notPredicted) as Estimate;
      expect(e.n).toBe(1500);
      for (const m of METRICS) zs[m].push((est(e, m) - real[m]) / se(e, m));
      worse.push(real.accuracy);
    }
    check(zs, METRICS);
    // the windows really are worse than the reference (≈ 0.8 accurate): the estimate followed them
    expect(Math.min(...worse)).toBeLessThan(0.75);
  });

  it("multiclass one-vs-rest: accuracy, macro precision, recall, F1 and AUC within their standard errors", () => {
    const model = multiclassModel();
    const reference = Array.from({ length: 30_000 }, () => multiRow(0));
    const bins = scoreBins(
      model,
      reference.map((x) => ({ pred: x.p, y: ["a", "b", "c"][x.y] })),
    );
    expect(bins.calibrated).toBe(true);
    const zs = Object.fromEntries(METRICS.map((m) => [m, [] as number[]])) as Record<Metric, number[]>;
    for (let w = 0; w < 80; w++) {
      const rows = Array.from({ length: 2000 }, () => multiRow((w % 5) * 0.3));
      const pred = rows.map((x) => x.p.indexOf(Math.max(...x.p)));
      const truth = rows.map((x) => x.y);
      const real = realized(
        pred,
        truth,
        [0, 1, 2].map((k) => rows.map((x) => x.p[k] as number)),
        3,
      );
      const { predicted, notPredicted } = window(
        bins,
        rows.map((x, i) => ({ scores: x.p, pred: pred[i] as number })),
      );
      const e = estimate(bins, 3, predicted, notPredicted) as Estimate;
      for (const m of METRICS) zs[m].push((est(e, m) - real[m]) / se(e, m));
    }
    // one-vs-rest calibration per bin is coarser for multiclass (NannyML also renormalizes):
    // accuracy and the AUC are checked tightly, the macro ratios too
    check(zs, METRICS);
  });

  it("misses a shift of P(label | score) (concept drift): the limit the estimation error shows", () => {
    const model = binaryModel();
    const reference = Array.from({ length: 20_000 }, () => binaryRow(-0.5, 1.8));
    const bins = scoreBins(
      model,
      reference.map((x) => ({ pred: x.s, y: String(x.y) })),
    );
    const zs: number[] = [];
    for (let w = 0; w < 20; w++) {
      // the same scores, but the labels no longer follow them (a coin flip: the model went stale)
      const rows = Array.from({ length: 1500 }, () => {
        const s = sigmoid(-0.5 + 1.8 * r.normal());
        return { s, y: r.next() < 0.5 ? 1 : 0 };
      });
      const pred = rows.map((x) => (x.s >= 0.5 ? 1 : 0));
      const real = realized(
        pred,
        rows.map((x) => x.y),
        [rows.map((x) => 1 - x.s), rows.map((x) => x.s)],
        2,
      );
      const { predicted, notPredicted } = window(
        bins,
        rows.map((x, i) => ({ scores: [x.s], pred: pred[i] as number })),
      );
      const e = estimate(bins, 2, predicted, notPredicted) as Estimate;
      zs.push((e.accuracy - real.accuracy) / e.stderr.accuracy);
    }
    // the estimate stays where the reference's calibration puts it: far outside its errors
    expect(Math.min(...zs.map(Math.abs))).toBeGreaterThan(3);
  });

  it("estimates nothing without a calibration (a profile without targets)", () => {
    const model = binaryModel();
    const b = new ScoreProfileBuilder(model, false);
    for (let i = 0; i < 100; i++) b.observe(r.next());
    b.fixBins();
    for (let i = 0; i < 100; i++) b.count(r.next(), undefined);
    const bins = ScoreBins.forModel(model, b.build()) as ScoreBins;
    expect(bins.calibrated).toBe(false);
    expect(
      estimate(bins, 2, new Float64Array(bins.bins).fill(1), new Float64Array(bins.bins)),
    ).toBeUndefined();
  });
});
