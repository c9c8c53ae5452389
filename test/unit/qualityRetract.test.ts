// A conflicting label takes its join back (labels.on_conflict: last or reject_conflicts, #16)
// from every quality window, its score-bin counts too: after flipping some labels, the window's
// accuracy and ROC AUC are those of the final labels (last) or of the ids left (reject_conflicts),
// computed here pairwise, for a time window and a count window alike.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { rng } from "../../src/demo/creditData.js";
import { QualityMetrics } from "../../src/export/qualityMetrics.js";
import { LabelJoin } from "../../src/labels/labelJoin.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { pairwiseAuc } from "../helpers/pairwiseAuc.js";

describe("a conflicting label takes its join back from the quality windows", () => {
  for (const policy of ["last", "reject_conflicts"] as const)
    it(`on_conflict ${policy}: accuracy and ROC AUC of what stands, time and count windows`, async () => {
      const c = parseConfig(`models:
  - name: credit
    version: "3"
    task: binary_classification
    prediction: {classes: ["0", "1"], score_bins: 1000}
    windows: [1h, 5000 events]
    min_samples: 10
    labels: {ttl: 2h, on_conflict: ${policy}}
`);
      const registry = new Registry();
      let t = 1_000_000;
      const join = new LabelJoin(c.models, new QualityMetrics(registry), () => t);
      const r = rng(5);
      const rows: { s: number; y: boolean; kept: boolean }[] = [];
      for (let i = 0; i < 600; i++) {
        const y = r.next() < 0.4;
        const s = Math.min(1, Math.max(0, (y ? 0.6 : 0.4) + 0.2 * r.normal()));
        join.recordPrediction(
          { model: "credit", version: "3", id: `r${i}`, features: {}, prediction: s, time: t },
          "tap",
        );
        t += 10;
        expect(join.applyLabel({ model: "credit", id: `r${i}`, label: y ? "1" : "0" })).toBe("matched");
        rows.push({ s, y, kept: true });
      }
      // every fifth label is contradicted a minute later
      t += 60_000;
      rows.forEach((row, i) => {
        if (i % 5 !== 0) return;
        expect(join.applyLabel({ model: "credit", id: `r${i}`, label: row.y ? "0" : "1" })).toBe("conflict");
        if (policy === "last") row.y = !row.y;
        else row.kept = false;
      });
      join.refresh(t);
      const m = parseMetrics(await registry.metrics());
      const standing = rows.filter((x) => x.kept);
      const auc = pairwiseAuc(
        standing.map((x) => x.s),
        standing.map((x) => x.y),
      );
      const accuracy = standing.filter((x) => x.s >= 0.5 === x.y).length / standing.length;
      for (const window of ["1h", "5000 events"]) {
        const at = { model: "credit", window };
        expect(metricValue(m, "infermon_model_accuracy", at), window).toBeCloseTo(accuracy, 12);
        // 1000 score bins: ties within a bin are rare, the bound small
        expect(Math.abs((metricValue(m, "infermon_model_roc_auc", at) as number) - auc), window).toBeLessThan(
          0.005,
        );
      }
    });
});
