// Shadow comparison between two real MLServer 1.7.1 + mlserver-sklearn processes: the primary
// serves a logistic regression trained here on load_breast_cancer, the shadow another version of it
// (stronger regularisation, C = 0.01) under the same model name, as a candidate is deployed beside
// the current model. Through the tap: the client gets the primary's bytes; the agreement and the
// difference histogram equal what scikit-learn's own predict_proba of both versions says for the
// same rows; both sides' requests are counted side by side.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/model.js";
import { postJson, profileOf, type RunningAgent, startAgent } from "../helpers/conformance.js";
import { metricValue, type Sample } from "../helpers/metricsText.js";
import {
  type PyServer,
  requireModelServers,
  startMLServer,
  type Trained,
  train,
} from "../helpers/pythonServers.js";

const enabled = requireModelServers();
const REF = 300;
const COLUMNS: [string, number][] = [
  ["mean_radius", 0],
  ["mean_texture", 1],
  ["worst_area", 23],
];
const modelYaml = (shadowUrl: string) => `  - name: cancer
    version: "1"
    task: binary_classification
    route: /v2/models/cancer
    features:
${COLUMNS.map(([n, c]) => `      - {name: ${n}, type: numeric, input: input-0, column: ${c}}`).join("\n")}
    prediction: {output: predict_proba, classes: ["0", "1"]}
    reference: ./cancer.json
    windows: [1h]
    min_samples: 10
    shadow: {upstream: "${shadowUrl}", sample: 1, timeout: 30s, max_in_flight: 2}
`;

let current: Trained;
let candidate: Trained;
let primary: PyServer;
let shadow: PyServer;
let a: RunningAgent;

const body = (rows: number[][], id: string) => ({
  id,
  inputs: [{ name: "input-0", shape: [rows.length, 30], datatype: "FP64", data: rows }],
  outputs: [{ name: "predict_proba" }],
});
const value = (m: Sample[], name: string, labels: Record<string, string>) =>
  metricValue(m, name, { model: "cancer", ...labels }) ?? 0;

describe.skipIf(!enabled)("shadow: MLServer (current) against MLServer (candidate)", () => {
  beforeAll(async () => {
    [current, candidate] = await Promise.all([train("breast_cancer"), train("breast_cancer", 0.01)]);
    [primary, shadow] = await Promise.all([
      startMLServer([{ name: "cancer", dir: current.dir }]),
      startMLServer([{ name: "cancer", dir: candidate.dir }]),
    ]);
    a = await startAgent(primary.url, modelYaml(shadow.url), (config) => {
      const model = config.models[0] as ModelConfig;
      const rows = current.rows.slice(0, REF).map((r, i) => ({
        ...Object.fromEntries(COLUMNS.map(([n, c]) => [n, r[c]])),
        predict_proba: (current.predict_proba as number[][])[i]?.[1],
      }));
      writeFileSync(model.reference as string, JSON.stringify(profileOf(model, rows)));
    });
  }, 600_000);
  afterAll(async () => {
    await a?.agent.stop(1000);
    await Promise.all([primary?.stop(), shadow?.stop()]);
  });

  it("agrees and differs row by row exactly as the two versions' predict_proba do; the client gets the primary's bytes", async () => {
    const before = await a.metrics();
    let agree = 0;
    let disagree = 0;
    const diffs: number[] = [];
    let requests = 0;
    for (let i = REF, k = 0; i < current.rows.length; k++) {
      const n = 1 + (k % 5);
      const rows = current.rows.slice(i, i + n);
      const req = body(rows, `shadow-${k}`);
      const direct = await postJson(`${primary.url}/v2/models/cancer/infer`, req);
      const tapped = await postJson(`${a.tap}/v2/models/cancer/infer`, req);
      expect(tapped.status, tapped.body.toString()).toBe(200);
      expect(tapped.body.equals(direct.body)).toBe(true);
      requests++;
      rows.forEach((_, j) => {
        const p = (current.predict_proba as number[][])[i + j]?.[1] as number;
        const s = (candidate.predict_proba as number[][])[i + j]?.[1] as number;
        if (p >= 0.5 === s >= 0.5) agree++;
        else disagree++;
        diffs.push(Math.abs(s - p));
      });
      i += n;
    }
    await a.agent.shadow?.idle();
    const m = await a.metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      value(m, name, labels) - value(before, name, labels);
    // the two versions do disagree on some rows: the comparison is not vacuous
    expect(disagree).toBeGreaterThan(0);
    expect(delta("infermon_shadow_comparisons_total", { result: "agree" })).toBe(agree);
    expect(delta("infermon_shadow_comparisons_total", { result: "disagree" })).toBe(disagree);
    expect(delta("infermon_shadow_prediction_difference_count", {})).toBe(diffs.length);
    // MLServer answers FP64 as JSON numbers: the same doubles scikit-learn wrote, up to float printing
    expect(delta("infermon_shadow_prediction_difference_sum", {})).toBeCloseTo(
      diffs.reduce((x, y) => x + y, 0),
      6,
    );
    for (const le of ["0.01", "0.05", "0.1", "0.25"]) {
      const expected = diffs.filter((d) => d <= Number(le)).length;
      const got = delta("infermon_shadow_prediction_difference_bucket", { le });
      // a difference within float printing of a bucket's bound may fall either side of it
      const edge = diffs.filter((d) => Math.abs(d - Number(le)) < 1e-9).length;
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(edge);
    }
    for (const side of ["primary", "shadow"])
      expect(delta("infermon_shadow_requests_total", { side, code: "200" })).toBe(requests);
    expect(
      delta("infermon_shadow_predictions_total", { class: "0" }) +
        delta("infermon_shadow_predictions_total", { class: "1" }),
    ).toBe(diffs.length);
  });
});
