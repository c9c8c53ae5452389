// The agent's CBPE gauges: a model whose profile has calibrated score bins exports
// infermon_model_estimated_* per window once it holds min_samples scored predictions, equal to
// NannyML's per-row formulas computed here (TP = Σ_{predicted 1} p̂, …) with p̂ the profile's
// calibration of each row's bin; count windows hold exactly the last N; once labels arrive,
// infermon_model_estimation_error is the estimate on the labelled predictions minus their
// realized value.
import { describe, expect, it } from "vitest";
import { ScoreProfileBuilder } from "../../src/batch/scoreProfileBuilder.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";
import { rng } from "../../src/demo/creditData.js";
import { AgentMetrics } from "../../src/export/metrics.js";
import { LabelJoin } from "../../src/labels/labelJoin.js";
import { ModelMonitor } from "../../src/monitor/modelMonitor.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import { numericBinIndex } from "../../src/stats/binning.js";
import { ProfileBuilder } from "../../src/stats/profileBuilder.js";
import { ScoreBins } from "../../src/stats/scoreBins.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

const r = rng(99);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function setup(windows: string, minSamples: number) {
  const model = parseConfig(`models:
  - name: m
    version: "1"
    task: binary_classification
    features: [{name: x, type: numeric}]
    prediction: {output: p, classes: ["0", "1"], score_bins: 30}
    windows: [${windows}]
    min_samples: ${minSamples}
    labels: {target: y}
`).models[0] as ModelConfig;
  const rows = Array.from({ length: 10_000 }, () => {
    const x = r.normal();
    const p = sigmoid(1.5 * x - 0.3);
    return { x, p, y: r.next() < p ? "1" : "0" };
  });
  const pb = new ProfileBuilder(model);
  for (const row of rows) pb.observe(row);
  pb.fixBins();
  for (const row of rows) pb.count(row);
  const profile = pb.build();
  const sb = new ScoreProfileBuilder(model, true);
  for (const row of rows) sb.observe(row.p);
  sb.fixBins();
  for (const row of rows) sb.count(row.p, row.y);
  profile.scores = sb.build();
  const layout = BinLayout.fromProfile(profile, model);
  const bins = ScoreBins.forModel(model, profile.scores) as ScoreBins;
  const metrics = new AgentMetrics({ version: "t", processMetrics: false });
  let now = 1_000_000;
  const join = new LabelJoin([model], metrics.quality, () => now, undefined, undefined, undefined, [bins]);
  const mon = new ModelMonitor(model, layout, metrics, join.monitor("m"));
  const entry = bins.entries[0]!;
  const calibrated = (s: number) => entry.calibrated![numericBinIndex(entry.edges, s)] as number;
  return {
    model,
    metrics,
    join,
    mon,
    calibrated,
    send(n: number, shift: number) {
      const sent: { p: number; y: string; id: string }[] = [];
      for (let i = 0; i < n; i++) {
        const x = r.normal() + shift;
        const p = sigmoid(1.5 * x - 0.3);
        const id = `e${now}`;
        mon.observe({ model: "m", version: "1", id, features: { x }, prediction: p, time: now }, now);
        sent.push({ p, y: r.next() < p ? "1" : "0", id });
        now += 100;
      }
      return sent;
    },
    async scrape() {
      mon.refresh(now);
      join.refresh(now);
      return parseMetrics(await metrics.registry.metrics());
    },
  };
}

describe("estimated quality gauges (CBPE)", () => {
  it("equal NannyML's formulas on the window's calibrated scores, behind min_samples, count windows exact", async () => {
    const t = setup("1h, 300 events", 200);
    let sent = t.send(150, 0);
    let m = await t.scrape();
    // below min_samples: no estimate
    expect(metricValue(m, "infermon_model_estimated_accuracy", { window: "1h" })).toBeUndefined();
    sent = [...sent, ...t.send(350, 0.8)];
    m = await t.scrape();
    for (const [window, rows] of [
      ["1h", sent],
      ["300 events", sent.slice(-300)],
    ] as const) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (const row of rows) {
        const c = t.calibrated(row.p);
        if (row.p >= 0.5) {
          tp += c;
          fp += 1 - c;
        } else {
          fn += c;
          tn += 1 - c;
        }
      }
      const n = rows.length;
      const l = { model: "m", model_version: "1", window };
      expect(metricValue(m, "infermon_model_estimated_accuracy", l)).toBeCloseTo((tp + tn) / n, 10);
      expect(metricValue(m, "infermon_model_estimated_precision", { ...l, class: "1" })).toBeCloseTo(
        tp / (tp + fp),
        10,
      );
      expect(metricValue(m, "infermon_model_estimated_recall", { ...l, class: "1" })).toBeCloseTo(
        tp / (tp + fn),
        10,
      );
      expect(metricValue(m, "infermon_model_estimated_f1", { ...l, class: "1" })).toBeCloseTo(
        tp / (tp + 0.5 * (fp + fn)),
        10,
      );
      // class 0 is the other side of the same matrix
      expect(metricValue(m, "infermon_model_estimated_precision", { ...l, class: "0" })).toBeCloseTo(
        tn / (tn + fn),
        10,
      );
      const auc = metricValue(m, "infermon_model_estimated_roc_auc", l) as number;
      expect(auc).toBeGreaterThan(0.6);
      expect(auc).toBeLessThan(1);
      expect(metricValue(m, "infermon_model_estimated_accuracy_stderr", l)).toBeGreaterThan(0);
    }
    // no labels yet: nothing to check the estimate against
    expect(metricValue(m, "infermon_model_estimation_error", {})).toBeUndefined();
  });

  it("exports the estimate's error on the labelled predictions once labels arrive", async () => {
    const t = setup("1h", 100);
    const sent = t.send(600, 0.3);
    for (const row of sent.slice(0, 400))
      expect(t.join.applyLabel({ model: "m", id: row.id, label: row.y })).toBe("matched");
    const m = await t.scrape();
    const labelled = sent.slice(0, 400);
    let tp = 0;
    let tn = 0;
    let right = 0;
    for (const row of labelled) {
      const c = t.calibrated(row.p);
      if (row.p >= 0.5) tp += c;
      else tn += 1 - c;
      if ((row.p >= 0.5 ? "1" : "0") === row.y) right++;
    }
    const err = metricValue(m, "infermon_model_estimation_error", {
      window: "1h",
      metric: "accuracy",
    }) as number;
    expect(err).toBeCloseTo((tp + tn) / 400 - right / 400, 10);
    // calibrated scores: the error is sampling noise, within 3 of the estimate's standard errors
    expect(Math.abs(err)).toBeLessThan(3 * Math.sqrt(0.25 / 400));
    for (const metric of ["precision", "recall", "f1", "roc_auc"])
      expect(metricValue(m, "infermon_model_estimation_error", { window: "1h", metric })).toBeDefined();
  });
});
