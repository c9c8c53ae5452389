// Realized ROC AUC and standard errors of the label join's windows, against computations written
// here: the pairwise AUC of the joined predictions (within the histogram's stated bound), the
// binomial and delta-method standard errors, and count windows holding exactly the last N joins.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { rng } from "../../src/demo/creditData.js";
import { QualityMetrics } from "../../src/export/qualityMetrics.js";
import { LabelJoin } from "../../src/labels/labelJoin.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { pairwiseAuc } from "../helpers/pairwiseAuc.js";

const BINARY = (windows: string, extra = "") => `models:
  - name: credit
    version: "3"
    task: binary_classification
    prediction: {classes: ["0", "1"], score_bins: 20}
    windows: [${windows}]
    min_samples: 10
    labels: {ttl: 1h}
${extra}`;

async function samples(registry: Registry): Promise<Sample[]> {
  return parseMetrics(await registry.metrics());
}

describe("realized ROC AUC of labelled predictions", () => {
  it("equals the pairwise AUC within the bins' bound, live and from the fleet counters", async () => {
    const c = parseConfig(BINARY("1h"));
    const registry = new Registry();
    let t = 1_000_000;
    const join = new LabelJoin(c.models, new QualityMetrics(registry), () => t);
    const r = rng(11);
    const scores: number[] = [];
    const truth: boolean[] = [];
    for (let i = 0; i < 800; i++) {
      const y = r.next() < 0.3;
      // scores a useful but imperfect model gives
      const s = Math.min(1, Math.max(0, (y ? 0.6 : 0.35) + 0.2 * r.normal()));
      scores.push(s);
      truth.push(y);
      expect(
        join.recordPrediction({
          model: "credit",
          version: "3",
          id: `r${i}`,
          features: {},
          prediction: s,
          time: t,
        }),
      ).toBe("pending");
      t += 10;
      // every label: some before, most after their prediction
      expect(join.applyLabel({ model: "credit", id: `r${i}`, label: y ? "1" : "0" })).toBe("matched");
    }
    join.refresh(t);
    const m = await samples(registry);
    const live = metricValue(m, "infermon_model_roc_auc", { model: "credit", window: "1h" }) as number;
    const exact = pairwiseAuc(scores, truth);
    // the bound from the bins: ½ Σ pos_b neg_b / (P N), computed from the fleet counters
    const bins = m.filter((s) => s.name === "infermon_labeled_score_bin_total" && s.labels.class === "1");
    const byBin = new Map<string, { pos: number; neg: number; below: number }>();
    for (const s of bins) {
      const b = byBin.get(s.labels.bin as string) ?? { pos: 0, neg: 0, below: 0 };
      if (s.labels.truth === "positive") b.pos = s.value;
      else b.neg = s.value;
      byBin.set(s.labels.bin as string, b);
    }
    for (const s of m.filter((x) => x.name === "infermon_labeled_score_negatives_below_total"))
      (byBin.get(s.labels.bin as string) as { below: number }).below = s.value;
    expect(byBin.size).toBe(20);
    let P = 0;
    let N = 0;
    let ties = 0;
    let conc = 0;
    for (const b of byBin.values()) {
      P += b.pos;
      N += b.neg;
      ties += b.pos * b.neg;
      conc += b.pos * (b.below + b.neg / 2);
    }
    expect(P + N).toBe(800);
    const bound = ties / 2 / (P * N);
    expect(Math.abs(live - exact)).toBeLessThanOrEqual(bound + 1e-12);
    // what the fleet rule computes from the counters is the live value
    expect(conc / (P * N)).toBeCloseTo(live, 12);
    expect(bound).toBeLessThan(0.05);
    const se = metricValue(m, "infermon_model_roc_auc_stderr", { model: "credit", window: "1h" }) as number;
    expect(se).toBeGreaterThan(0.01);
    expect(se).toBeLessThan(0.05);
  });

  it("exports standard errors: binomial for accuracy, precision and recall, delta method for F1", async () => {
    const c = parseConfig(BINARY("1h"));
    const registry = new Registry();
    const t = 1_000_000;
    const join = new LabelJoin(c.models, new QualityMetrics(registry), () => t);
    // tp 30, fp 10, fn 20, tn 40
    const cases: [number, string][] = [
      ...Array.from({ length: 30 }, () => [0.9, "1"] as [number, string]),
      ...Array.from({ length: 10 }, () => [0.8, "0"] as [number, string]),
      ...Array.from({ length: 20 }, () => [0.2, "1"] as [number, string]),
      ...Array.from({ length: 40 }, () => [0.1, "0"] as [number, string]),
    ];
    cases.forEach(([s, y], i) => {
      join.recordPrediction({
        model: "credit",
        version: "3",
        id: `x${i}`,
        features: {},
        prediction: s,
        time: t,
      });
      join.applyLabel({ model: "credit", id: `x${i}`, label: y });
    });
    join.refresh(t);
    const m = await samples(registry);
    const g = (name: string, cls?: string) =>
      metricValue(m, name, { model: "credit", window: "1h", ...(cls ? { class: cls } : {}) }) as number;
    expect(g("infermon_model_accuracy")).toBeCloseTo(0.7, 12);
    expect(g("infermon_model_accuracy_stderr")).toBeCloseTo(Math.sqrt((0.7 * 0.3) / 100), 12);
    expect(g("infermon_model_precision", "1")).toBeCloseTo(0.75, 12);
    expect(g("infermon_model_precision_stderr", "1")).toBeCloseTo(Math.sqrt((0.75 * 0.25) / 40), 12);
    expect(g("infermon_model_recall_stderr", "1")).toBeCloseTo(Math.sqrt((0.6 * 0.4) / 50), 12);
    // F1 = 2tp/(2tp+f), f = fp + fn = 30: Var = 4 tp f (tp + f) / (2tp + f)^4
    expect(g("infermon_model_f1", "1")).toBeCloseTo(60 / 90, 12);
    expect(g("infermon_model_f1_stderr", "1")).toBeCloseTo(Math.sqrt(4 * 30 * 30 * 60) / 90 ** 2, 12);
    // macro: classes independent
    const macro =
      Math.sqrt(g("infermon_model_f1_stderr", "1") ** 2 + g("infermon_model_f1_stderr", "0") ** 2) / 2;
    const macroSample = m.find(
      (s) =>
        s.name === "infermon_model_f1_stderr" && s.labels.class === undefined && s.labels.window === "1h",
    );
    expect(macroSample?.value).toBeCloseTo(macro, 12);
    // pairs: 0.9 beats all 50 negatives, 0.2 beats the 40 at 0.1: (30·50 + 20·40) / (50·50); no bin
    // mixes the classes, so the histogram is exact
    expect(g("infermon_model_roc_auc")).toBeCloseTo(2300 / 2500, 12);
  });

  it("a count window holds exactly the last N joins", async () => {
    const c = parseConfig(BINARY("1h, 50 events"));
    const registry = new Registry();
    let t = 1_000_000;
    const join = new LabelJoin(c.models, new QualityMetrics(registry), () => t);
    // 100 right, then 30 wrong: the last 50 joins are 20 right and 30 wrong
    for (let i = 0; i < 130; i++) {
      const wrong = i >= 100;
      join.recordPrediction({
        model: "credit",
        version: "3",
        id: `c${i}`,
        features: {},
        prediction: 0.9,
        time: t,
      });
      join.applyLabel({ model: "credit", id: `c${i}`, label: wrong ? "0" : "1" });
      t += 1_000;
    }
    join.refresh(t);
    const m = await samples(registry);
    expect(metricValue(m, "infermon_model_accuracy", { model: "credit", window: "50 events" })).toBe(20 / 50);
    expect(metricValue(m, "infermon_window_labeled_samples", { model: "credit", window: "50 events" })).toBe(
      50,
    );
    expect(metricValue(m, "infermon_model_accuracy", { model: "credit", window: "1h" })).toBe(100 / 130);
  });

  it("gives multiclass one-vs-rest AUCs per class and their macro average", async () => {
    const c = parseConfig(`models:
  - name: iris
    task: multiclass_classification
    prediction: {classes: [a, b, c], score_bins: 10}
    windows: [1h]
    min_samples: 1
`);
    const registry = new Registry();
    const t = 1_000;
    const join = new LabelJoin(c.models, new QualityMetrics(registry), () => t);
    const rows: [number[], string][] = [
      [[0.85, 0.1, 0.05], "a"],
      [[0.6, 0.3, 0.1], "b"],
      [[0.2, 0.7, 0.1], "b"],
      [[0.1, 0.15, 0.75], "c"],
      [[0.3, 0.3, 0.4], "a"],
      [[0.05, 0.05, 0.9], "c"],
    ];
    rows.forEach(([p, y], i) => {
      join.recordPrediction({
        model: "iris",
        version: "1",
        id: `i${i}`,
        features: {},
        prediction: p,
        time: t,
      });
      join.applyLabel({ model: "iris", id: `i${i}`, label: y });
    });
    join.refresh(t);
    const m = await samples(registry);
    const per = ["a", "b", "c"].map((cls, k) =>
      pairwiseAuc(
        rows.map((r) => r[0][k] as number),
        rows.map((r) => r[1] === cls),
      ),
    );
    // these scores fall in distinct bins per class where it matters: exact
    ["a", "b", "c"].forEach((cls, k) => {
      expect(metricValue(m, "infermon_model_roc_auc", { model: "iris", class: cls })).toBeCloseTo(
        per[k] as number,
        12,
      );
    });
    const macro = m.find((s) => s.name === "infermon_model_roc_auc" && s.labels.class === undefined);
    expect(macro?.value).toBeCloseTo((per[0]! + per[1]! + per[2]!) / 3, 12);
  });
});
