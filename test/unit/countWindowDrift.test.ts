// A count window of the drift monitor (`windows: [1h, 300 events]`) exports the drift of exactly the
// last 300 events: the stats engine on those events' counts, computed here.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { AgentMetrics } from "../../src/export/metrics.js";
import { ModelMonitor } from "../../src/monitor/modelMonitor.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import { driftValues } from "../../src/stats/drift.js";
import { ProfileBuilder, type Row } from "../../src/stats/profileBuilder.js";
import { creditRow, rng } from "../helpers/agentFixture.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";

describe("count windows in the drift monitor", () => {
  it("exports the drift of exactly the last N events, and N as the window's samples", async () => {
    const c = parseConfig(`models:
  - name: credit
    version: "3"
    task: binary_classification
    features:
      - {name: income, type: numeric}
      - {name: region, type: categorical}
    prediction: {output: probability}
    windows: [1h, 300 events]
    min_samples: 100
`);
    const model = c.models[0]!;
    const r = rng(5);
    const reference = Array.from({ length: 2000 }, () => creditRow(r));
    const b = new ProfileBuilder(model);
    for (const row of reference) b.observe(row);
    b.fixBins();
    for (const row of reference) b.count(row);
    const layout = BinLayout.fromProfile(b.build(), model);
    const metrics = new AgentMetrics({ version: "test", processMetrics: false });
    const mon = new ModelMonitor(model, layout, metrics);
    const sent: Row[] = [];
    let t = 1_000_000;
    // 400 like the reference, then 250 with shifted incomes: the last 300 mix both
    for (let i = 0; i < 650; i++) {
      const row = creditRow(r, i >= 400 ? 50_000 : 0);
      sent.push(row);
      mon.observe(
        { model: "credit", version: "3", id: `e${i}`, features: row, prediction: row.probability, time: t },
        t,
      );
      t += 100;
    }
    mon.refresh(t);
    const m = parseMetrics(await metrics.registry.metrics());
    expect(metricValue(m, "infermon_window_samples", { window: "300 events" })).toBe(300);
    expect(metricValue(m, "infermon_window_samples", { window: "1h" })).toBe(650);
    const last = sent.slice(-300);
    for (const slot of layout.slots) {
      const counts = new Float64Array(slot.bins.size);
      for (const row of last) {
        const bin = layout.binOf(slot, slot.name === "probability" ? row.probability : row[slot.name]);
        if (bin >= 0) counts[bin - slot.offset]! += 1;
      }
      const d = driftValues(counts, slot.reference, model.drift.smoothing);
      const got =
        slot.name === "probability"
          ? metricValue(m, "infermon_prediction_psi", { window: "300 events" })
          : metricValue(m, "infermon_feature_psi", { feature: slot.name, window: "300 events" });
      expect(got).toBeCloseTo(d.psi, 12);
    }
  });
});
