// The generator and the agent agree on quality series: every quality series a generated alert or
// SLO rule reads for a model (accuracy, precision, recall, F1, MAE, RMSE, the correctness SLI,
// with its model/window/result matchers) is exported by the agent once that model has min_samples
// joins; and every model that expects labels exports the quality dashboard's series for its task
// (precision/recall/F1 per class for classification), so no panel or rule reads a series that
// never exists for it.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/model.js";
import { QualityMetrics } from "../../src/export/qualityMetrics.js";
import { generate } from "../../src/generate/pipeline.js";
import { LabelJoin } from "../../src/labels/labelJoin.js";
import { parseMetrics, type Sample } from "../helpers/metricsText.js";
import { configFrom, exampleData, variantData } from "./helpers.js";

const QUALITY =
  /\b(infermon_(?:model_(?:accuracy|precision|recall|f1|mae|rmse)|labeled_predictions_total))\{([^}]*)\}/g;

/** Quality selectors read by the generated rule files: metric + its equality matchers. */
function selectors(config: Config): { metric: string; match: Record<string, string>; file: string }[] {
  const out: { metric: string; match: Record<string, string>; file: string }[] = [];
  for (const [file, text] of generate(config, { source: "t.yaml" })) {
    if (!/^(alerts|slo)\/[^/]+\.rules\.yaml$/.test(file)) continue;
    for (const m of text.matchAll(QUALITY)) {
      const match: Record<string, string> = {};
      for (const kv of (m[2] as string).matchAll(/(\w+)="([^"]*)"/g))
        match[kv[1] as string] = kv[2] as string;
      out.push({ metric: m[1] as string, match, file });
    }
  }
  return out;
}

/** The agent's quality series after min_samples joins per model, every class predicted and labelled. */
async function agentSeries(config: Config): Promise<Sample[]> {
  const registry = new Registry();
  const t = 1_700_000_000_000;
  const join = new LabelJoin(config.models, new QualityMetrics(registry), () => t);
  for (const m of config.models) {
    const q = join.monitor(m.name);
    if (!q) throw new Error(m.name);
    const classes = q.values.classes;
    for (let i = 0; i < Math.max(m.minSamples, 1) + 4; i++) {
      const id = `r${i}`;
      if (m.task === "regression") {
        q.prediction(id, m.version, undefined, 100 + i, t, t);
        join.applyLabel({ model: m.name, id, label: 100 + (i % 3) * 50 });
      } else {
        const k = Math.max(classes.length, 2);
        q.prediction(id, m.version, classes[i % k] ?? String(i % k), 0.9, t, t);
        join.applyLabel({
          model: m.name,
          id,
          label: classes[(i + (i % 2)) % k] ?? String((i + (i % 2)) % k),
        });
      }
    }
  }
  join.refresh(t);
  return parseMetrics(await registry.metrics());
}

const has = (samples: Sample[], name: string, match: Record<string, string>) =>
  samples.some((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));

const expectsLabels = (m: Config["models"][number]) =>
  m.labels.configured || m.slo.correctness !== undefined || Object.keys(m.quality).length > 0;

describe("quality series: generator and agent agree", () => {
  for (const [name, data] of [
    ["example", exampleData()],
    ["variant (a multiclass model with classes)", variantData()],
  ] as const) {
    it(`every quality series a generated rule reads is exported (${name})`, async () => {
      const config = configFrom(data);
      const samples = await agentSeries(config);
      const read = selectors(config);
      expect(read.length).toBeGreaterThan(3);
      const missing = read
        .filter((s) => !has(samples, s.metric, s.match))
        .map((s) => `${s.metric}${JSON.stringify(s.match)} (read in ${s.file})`);
      expect(missing).toEqual([]);
      for (const m of config.models.filter(expectsLabels)) {
        const names =
          m.task === "regression"
            ? ["infermon_model_mae", "infermon_model_rmse"]
            : [
                "infermon_model_accuracy",
                "infermon_model_precision",
                "infermon_model_recall",
                "infermon_model_f1",
              ];
        for (const n of names) expect(has(samples, n, { model: m.name }), `${n} for ${m.name}`).toBe(true);
      }
    });
  }

  it("the variant's multiclass model, labelled, exports precision/recall/F1 per configured class", async () => {
    const data = variantData();
    const churn = (data.models as Record<string, unknown>[]).find((m) => m.name === "churn") as Record<
      string,
      unknown
    >;
    churn.slo = { correctness: { objective: 90 } };
    const config = configFrom(data);
    const samples = await agentSeries(config);
    for (const cls of ["stay", "leave", "unknown"])
      expect(has(samples, "infermon_model_f1", { model: "churn", class: cls })).toBe(true);
    expect(selectors(config).some((s) => s.match.model === "churn")).toBe(true);
  });
});
