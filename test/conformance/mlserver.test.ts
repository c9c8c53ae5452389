// Conformance with a real MLServer 1.7.1 + mlserver-sklearn serving a scikit-learn model trained
// here on load_breast_cancer (30 features, one [n,30] input): the tap in front of it, traffic in
// MLServer's own request shapes, labels sent with the ids the client saw. Drift and accuracy must
// equal what this test computes; the failure cases are counted as docs/configuration.md says.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/model.js";
import type { Profile } from "../../src/stats/profile.js";
import { expectedPsi, postJson, profileOf, type RunningAgent, startAgent } from "../helpers/conformance.js";
import { metricValue } from "../helpers/metricsText.js";
import {
  type PyServer,
  requireModelServers,
  startMLServer,
  type Trained,
  train,
} from "../helpers/pythonServers.js";

const enabled = requireModelServers();
const REF = 350;
// monitored: 5 of the 30 columns, out of order
const COLUMNS: [string, number][] = [
  ["mean_radius", 0],
  ["mean_texture", 1],
  ["mean_area", 3],
  ["worst_concavity", 26],
  ["worst_area", 23],
];
const featureYaml = (named: boolean) =>
  COLUMNS.map(([n, c]) =>
    named
      ? `      - {name: ${n}, type: numeric, input: "${n.replace("_", " ")}"}`
      : `      - {name: ${n}, type: numeric, input: input-0, column: ${c}}`,
  ).join("\n");
const modelYaml = (name: string, named: boolean) => `  - name: ${name}
    version: "1"
    task: binary_classification
    route: /v2/models/${name}
    features:
${featureYaml(named)}
    prediction: {output: predict_proba, classes: ["0", "1"]}
    reference: ./cancer.json
    windows: [1h]
    min_samples: 10
    labels: {ttl: 1h}
`;

let data: Trained;
let server: PyServer;
let a: RunningAgent;
let profile: Profile;
const sentRows: number[][] = []; // rows of model "cancer" analysed
const scores: number[] = []; // their predicted P(class 1), where the response had predict_proba
const labels: { id: string; label: string; predicted: string }[] = [];

const featureRow = (r: number[]) => Object.fromEntries(COLUMNS.map(([n, c]) => [n, r[c]]));
const infer = (model: string, body: unknown) => postJson(`${a.tap}/v2/models/${model}/infer`, body);
const oneTensor = (rows: number[][], id?: string, outputs = true) => ({
  ...(id !== undefined && { id }),
  inputs: [{ name: "input-0", shape: [rows.length, 30], datatype: "FP64", data: rows }],
  ...(outputs && { outputs: [{ name: "predict_proba" }] }),
});

describe.skipIf(!enabled)("MLServer + mlserver-sklearn (breast cancer, [n,30])", () => {
  beforeAll(async () => {
    data = await train("breast_cancer");
    server = await startMLServer([
      { name: "cancer", dir: data.dir },
      { name: "cancer-cols", dir: data.dir },
    ]);
    a = await startAgent(
      server.url,
      modelYaml("cancer", false) + modelYaml("cancer-cols", true),
      (config) => {
        const model = config.models[0] as ModelConfig;
        const rows = data.rows.slice(0, REF).map((r, i) => ({
          ...featureRow(r),
          predict_proba: (data.predict_proba as number[][])[i]?.[1],
        }));
        profile = profileOf(model, rows);
        writeFileSync(model.reference as string, JSON.stringify(profile));
      },
    );
  }, 600_000);
  afterAll(async () => {
    await a?.agent.stop(1000);
    await server?.stop();
  });

  it("passes responses through byte for byte", async () => {
    const body = oneTensor(data.rows.slice(REF, REF + 3), "cmp-1");
    const direct = await postJson(`${server.url}/v2/models/cancer/infer`, body);
    const tapped = await infer("cancer", body);
    expect(tapped.status).toBe(200);
    expect(tapped.body.equals(direct.body)).toBe(true);
    for (const k of ["content-type", "content-length", "ce-type"])
      expect(tapped.headers[k]).toBe(direct.headers[k]);
    recordBatch(data.rows.slice(REF, REF + 3), tapped, "body", REF);
  });

  it("reads batches and single rows of the [n,30] tensor, 5 columns monitored", async () => {
    let i = REF + 3;
    let k = 0;
    while (i < data.rows.length - 20) {
      const n = k % 3 === 0 ? 1 : 10;
      const rows = data.rows.slice(i, i + n);
      const r = await infer("cancer", oneTensor(rows, k % 2 === 0 ? `batch-${k}` : undefined));
      expect(r.status, r.body.toString()).toBe(200);
      recordBatch(rows, r, k % 2 === 0 ? "body" : "header", i);
      i += n;
      k++;
    }
  });

  it("counts a prediction.output the client did not request (output_not_found), never another output", async () => {
    const rows = data.rows.slice(data.rows.length - 20, data.rows.length - 15);
    const r = await infer("cancer", oneTensor(rows, undefined, false));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString()).outputs.map((o: { name: string }) => o.name)).toEqual(["predict"]);
    for (const row of rows) sentRows.push(row); // features still analysed, no prediction
    const m = await a.metrics();
    expect(
      metricValue(m, "infermon_prediction_read_errors_total", {
        model: "cancer",
        reason: "output_not_found",
      }),
    ).toBe(5);
    const line = a.lines.find((l) => l.reason === "output_not_found");
    expect(line?.msg).toBe(
      "a prediction could not be read as configured (the request's features are still analysed)",
    );
    expect(String(line?.detail)).toContain(
      'prediction.output "predict_proba" is not in the response (its outputs: predict)',
    );
  });

  it("counts the inputs of a request the model failed on, apart from the predictions' data quality", async () => {
    const row: unknown[] = [...(data.rows[0] as number[])];
    row[0] = "abc"; // mean_radius: not a number, the model fails
    row[23] = 1e7; // worst_area: far outside the reference
    const r = await infer("cancer", {
      inputs: [{ name: "input-0", shape: [1, 30], datatype: "BYTES", data: row }],
      outputs: [{ name: "predict_proba" }],
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    const m = await a.metrics();
    const q = (feature: string, quality: string) =>
      metricValue(m, "infermon_failed_request_feature_values_total", { model: "cancer", feature, quality });
    expect(q("mean_radius", "invalid")).toBe(1);
    expect(q("worst_area", "out_of_range")).toBe(1);
    expect(q("mean_texture", "ok")).toBe(1);
    // drift and the predictions' data quality count successful predictions only
    expect(
      metricValue(m, "infermon_feature_invalid_total", { model: "cancer", feature: "mean_radius" }),
    ).toBe(0);
  });

  it("reads one tensor per feature (MLServer's pandas codec), named by input:", async () => {
    const rows = data.rows.slice(REF, REF + 4);
    const body = {
      // MLServer reads several inputs as one DataFrame when asked to (its pandas codec)
      parameters: { content_type: "pd" },
      inputs: data.features.map((f, j) => ({
        name: f,
        shape: [4],
        datatype: "FP64",
        data: rows.map((r) => r[j]),
      })),
      outputs: [{ name: "predict_proba" }],
    };
    const r = await infer("cancer-cols", body);
    expect(r.status, r.body.toString()).toBe(200);
    const m = await a.metrics();
    expect(metricValue(m, "infermon_events_total", { model: "cancer-cols" })).toBe(4);
    expect(metricValue(m, "infermon_feature_missing_total", { model: "cancer-cols" })).toBe(0);
    expect(metricValue(m, "infermon_parse_errors_total", { model: "cancer-cols" })).toBe(0);
  });

  it("joins labels sent with the x-request-id or the body id; drift and accuracy equal this test's", async () => {
    const r = await postJson(
      `${a.ingest}/v1/labels`,
      labels.map((l) => ({ model: "cancer", id: l.id, label: l.label })),
    );
    expect(JSON.parse(r.body.toString())).toMatchObject({ matched: labels.length, waiting: 0, invalid: 0 });
    const m = await a.metrics();
    expect(metricValue(m, "infermon_parse_errors_total", { model: "cancer" })).toBe(0);
    expect(metricValue(m, "infermon_events_total", { model: "cancer" })).toBe(sentRows.length);
    const model = a.config.models[0] as ModelConfig;
    for (const [name] of COLUMNS) {
      const got = metricValue(m, "infermon_feature_psi", { model: "cancer", feature: name, window: "1h" });
      const want = expectedPsi(
        model,
        profile,
        name,
        sentRows.map((row) => featureRow(row)[name]),
      );
      expect(got).toBeCloseTo(want, 9);
    }
    const predPsi = metricValue(m, "infermon_prediction_psi", { model: "cancer", window: "1h" });
    expect(predPsi).toBeCloseTo(expectedPsi(model, profile, "__prediction__", scores), 9);
    const accuracy = labels.filter((l) => l.label === l.predicted).length / labels.length;
    expect(metricValue(m, "infermon_model_accuracy", { model: "cancer", window: "1h" })).toBeCloseTo(
      accuracy,
      12,
    );
    expect(accuracy).toBeGreaterThan(0.9);
  });
});

/** Remember what the agent should have seen of one response, and the label each row gets. */
function recordBatch(
  rows: number[][],
  r: { headers: Record<string, unknown>; body: Buffer },
  idFrom: "body" | "header",
  first: number,
) {
  const res = JSON.parse(r.body.toString()) as { id: string; outputs: { name: string; data: number[] }[] };
  const proba = res.outputs.find((o) => o.name === "predict_proba")?.data as number[];
  const base = idFrom === "body" ? res.id : String(r.headers["x-request-id"]);
  expect(base).toBeTruthy();
  rows.forEach((row, i) => {
    sentRows.push(row);
    const p1 = proba[2 * i + 1] as number;
    scores.push(p1);
    labels.push({
      id: rows.length === 1 ? base : `${base}:${i}`,
      label: String(data.target[first + i]),
      predicted: p1 >= 0.5 ? "1" : "0",
    });
  });
}
