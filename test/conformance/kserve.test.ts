// Conformance with KServe's Python model server (kserve 0.21.0), serving scikit-learn models the
// way KServe's sklearnserver does, trained here on data sets scikit-learn ships: v2
// (`/v2/models/NAME/infer`) with load_breast_cancer's [n,30] tensor and predict_proba, v1
// (`/v1/models/NAME:predict`, `instances`) with load_iris and predict (class labels), and a model
// whose output holds labels where its reference holds scores. Drift and accuracy must equal what
// this test computes; ids the client sees join labels.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/model.js";
import type { Profile } from "../../src/stats/profile.js";
import { expectedPsi, postJson, profileOf, type RunningAgent, startAgent } from "../helpers/conformance.js";
import { metricValue } from "../helpers/metricsText.js";
import {
  type PyServer,
  requireModelServers,
  startKServe,
  type Trained,
  train,
} from "../helpers/pythonServers.js";

const enabled = requireModelServers();
const CANCER: [string, number][] = [
  ["mean_radius", 0],
  ["mean_area", 3],
  ["worst_area", 23],
];
const IRIS: [string, number][] = [
  ["sepal_length", 0],
  ["petal_length", 2],
  ["petal_width", 3],
];
const cancerYaml = (name: string) => `  - name: ${name}
    task: binary_classification
    route: /v2/models/${name}
    features:
${CANCER.map(([n, c]) => `      - {name: ${n}, type: numeric, input: input-0, column: ${c}}`).join("\n")}
    prediction: {output: output-0, classes: ["0", "1"]}
    reference: ./cancer.json
    windows: [1h]
    min_samples: 10
    labels: {ttl: 1h}
`;
const irisYaml = `  - name: iris
    task: multiclass_classification
    protocol: tf-serving
    route: /v1/models/iris
    features:
${IRIS.map(([n, c]) => `      - {name: ${n}, type: numeric, column: ${c}}`).join("\n")}
    prediction: {output: predictions, classes: ["0", "1", "2"]}
    reference: ./iris.json
    windows: [1h]
    min_samples: 10
    labels: {ttl: 1h}
`;

let cancer: Trained;
let iris: Trained;
let server: PyServer;
let a: RunningAgent;
const profiles: Record<string, Profile> = {};
const sent: Record<
  string,
  { rows: number[][]; preds: unknown[]; labels: { id: string; label: string; ok: boolean }[] }
> = {
  cancer: { rows: [], preds: [], labels: [] },
  iris: { rows: [], preds: [], labels: [] },
};
const row = (cols: [string, number][], r: number[]) => Object.fromEntries(cols.map(([n, c]) => [n, r[c]]));
const half = (t: Trained) => Math.floor(t.rows.length * 0.6);

describe.skipIf(!enabled)("KServe model server, v1 and v2 protocols", () => {
  beforeAll(async () => {
    [cancer, iris] = await Promise.all([train("breast_cancer"), train("iris")]);
    server = await startKServe([
      { name: "cancer", dir: cancer.dir, method: "predict_proba" },
      { name: "cancer-labels", dir: cancer.dir, method: "predict" },
      { name: "iris", dir: iris.dir, method: "predict" },
    ]);
    a = await startAgent(
      server.url,
      cancerYaml("cancer") + cancerYaml("cancer-labels") + irisYaml,
      (config) => {
        const [c, , i] = config.models as ModelConfig[];
        profiles.cancer = profileOf(
          c as ModelConfig,
          cancer.rows.slice(0, half(cancer)).map((r, k) => ({
            ...row(CANCER, r),
            "output-0": (cancer.predict_proba as number[][])[k]?.[1],
          })),
        );
        writeFileSync((c as ModelConfig).reference as string, JSON.stringify(profiles.cancer));
        profiles.iris = profileOf(
          i as ModelConfig,
          iris.rows
            .slice(0, half(iris))
            .map((r, k) => ({ ...row(IRIS, r), predictions: String(iris.predict[k]) })),
        );
        writeFileSync((i as ModelConfig).reference as string, JSON.stringify(profiles.iris));
      },
    );
  }, 600_000);
  afterAll(async () => {
    await a?.agent.stop(1000);
    await server?.stop();
  });

  it("v2: [n,30] batches with 3 columns monitored, byte-identical responses, labels by either id", async () => {
    const start = half(cancer);
    for (let i = start, k = 0; i < cancer.rows.length; k++) {
      const n = k % 4 === 0 ? 1 : 8;
      const rows = cancer.rows.slice(i, i + n);
      const body = {
        ...(k % 2 === 0 && { id: `v2-${k}` }),
        inputs: [{ name: "input-0", shape: [rows.length, 30], datatype: "FP64", data: rows }],
      };
      const r = await postJson(`${a.tap}/v2/models/cancer/infer`, body);
      expect(r.status, r.body.toString()).toBe(200);
      if (k % 2 === 0) {
        const direct = await postJson(`${server.url}/v2/models/cancer/infer`, body);
        expect(r.body.equals(direct.body)).toBe(true);
      }
      const res = JSON.parse(r.body.toString()) as {
        id: string;
        outputs: { name: string; data: number[] }[];
      };
      const base = k % 2 === 0 ? res.id : String(r.headers["x-request-id"]);
      const proba = res.outputs[0]?.data as number[];
      rows.forEach((rw, j) => {
        const p1 = proba[2 * j + 1] as number;
        sent.cancer?.rows.push(rw);
        sent.cancer?.preds.push(p1);
        const label = String(cancer.target[i + j]);
        sent.cancer?.labels.push({
          id: rows.length === 1 ? base : `${base}:${j}`,
          label,
          ok: label === (p1 >= 0.5 ? "1" : "0"),
        });
      });
      i += n;
    }
  });

  it("v1: instances rows with 3 of 4 columns monitored, class labels; labels by x-request-id", async () => {
    const start = half(iris);
    for (let i = start; i < iris.rows.length; i += 6) {
      const rows = iris.rows.slice(i, i + 6);
      const body = JSON.stringify({ instances: rows });
      const r = await postJson(`${a.tap}/v1/models/iris:predict`, body);
      expect(r.status, r.body.toString()).toBe(200);
      const direct = await postJson(`${server.url}/v1/models/iris:predict`, body);
      expect(r.body.equals(direct.body)).toBe(true);
      const preds = JSON.parse(r.body.toString()).predictions as number[];
      const base = String(r.headers["x-request-id"]);
      rows.forEach((rw, j) => {
        sent.iris?.rows.push(rw);
        sent.iris?.preds.push(String(preds[j]));
        const label = String(iris.target[i + j]);
        sent.iris?.labels.push({
          id: rows.length === 1 ? base : `${base}:${j}`,
          label,
          ok: label === String(preds[j]),
        });
      });
    }
  });

  it("counts class labels where the reference holds scores (labels_not_scores), never binned as scores", async () => {
    const rows = cancer.rows.slice(0, 12);
    const r = await postJson(`${a.tap}/v2/models/cancer-labels/infer`, {
      inputs: [{ name: "input-0", shape: [12, 30], datatype: "FP64", data: rows }],
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString()).outputs[0].datatype).toMatch(/INT/);
    const m = await a.metrics();
    expect(
      metricValue(m, "infermon_prediction_read_errors_total", {
        model: "cancer-labels",
        reason: "labels_not_scores",
      }),
    ).toBe(12);
    expect(metricValue(m, "infermon_prediction_psi", { model: "cancer-labels" })).toBeUndefined();
    expect(metricValue(m, "infermon_feature_psi", { model: "cancer-labels", window: "1h" })).toBeDefined();
    expect(
      a.lines.some((l) => l.reason === "labels_not_scores" && String(l.detail).includes("class labels")),
    ).toBe(true);
  });

  it("counts the inputs of a v1 request the model failed on as failed-request values", async () => {
    const bad: unknown[] = [...(iris.rows[0] as number[])];
    bad[2] = "abc";
    const r = await postJson(`${a.tap}/v1/models/iris:predict`, { instances: [bad] });
    expect(r.status).toBeGreaterThanOrEqual(400);
    const m = await a.metrics();
    expect(
      metricValue(m, "infermon_failed_request_feature_values_total", {
        model: "iris",
        feature: "petal_length",
        quality: "invalid",
      }),
    ).toBe(1);
    expect(metricValue(m, "infermon_feature_invalid_total", { model: "iris" })).toBe(0);
  });

  it("has read every body, and drift and accuracy equal this test's", async () => {
    for (const name of ["cancer", "iris"] as const) {
      const s = sent[name] as (typeof sent)["cancer"];
      const r = await postJson(
        `${a.ingest}/v1/labels`,
        s.labels.map((l) => ({ model: name, id: l.id, label: l.label })),
      );
      expect(JSON.parse(r.body.toString())).toMatchObject({ matched: s.labels.length, waiting: 0 });
    }
    const m = await a.metrics();
    for (const [name, cols] of [
      ["cancer", CANCER],
      ["iris", IRIS],
    ] as const) {
      const model = a.config.models.find((x) => x.name === name) as ModelConfig;
      const s = sent[name] as (typeof sent)["cancer"];
      const profile = profiles[name] as Profile;
      expect(metricValue(m, "infermon_parse_errors_total", { model: name })).toBe(0);
      expect(metricValue(m, "infermon_prediction_read_errors_total", { model: name })).toBe(0);
      for (const [f] of cols) {
        const got = metricValue(m, "infermon_feature_psi", { model: name, feature: f, window: "1h" });
        expect(got).toBeCloseTo(
          expectedPsi(
            model,
            profile,
            f,
            s.rows.map((r) => row(cols as [string, number][], r)[f]),
          ),
          9,
        );
      }
      const predPsi = metricValue(m, "infermon_prediction_psi", { model: name, window: "1h" });
      expect(predPsi).toBeCloseTo(expectedPsi(model, profile, "__prediction__", s.preds), 9);
      const accuracy = s.labels.filter((l) => l.ok).length / s.labels.length;
      expect(metricValue(m, "infermon_model_accuracy", { model: name, window: "1h" })).toBeCloseTo(
        accuracy,
        12,
      );
    }
  });
});
