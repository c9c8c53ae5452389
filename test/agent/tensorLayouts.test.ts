// Features as columns of a multi-column input (`input:`/`column:`), in every request shape the
// model servers use, and outputs read only by their configured name.
import { describe, expect, it } from "vitest";
import type { DecodeResult, Exchange, InferenceEvent } from "../../src/adapters/inferenceEvent.js";
import { jsonPaths } from "../../src/adapters/jsonPaths.js";
import { openInferenceV2 } from "../../src/adapters/openInferenceV2.js";
import { tfServing } from "../../src/adapters/tfServing.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";

const yaml = (protocol: string, prediction = "{output: predict_proba, classes: ['0', '1']}") => `service: t
models:
  - name: cancer
    task: binary_classification
    protocol: ${protocol}
    features:
      - {name: mean_radius, type: numeric, input: input-0, column: 0}
      - {name: mean_area, type: numeric, input: input-0, column: 3}
      - {name: worst_area, type: numeric, input: input-0, column: 23}
    prediction: ${prediction}
`;
const modelOf = (text: string): ModelConfig => parseConfig(text).models[0] as ModelConfig;

const ex = (request: unknown, response?: unknown): Exchange => ({
  request: Buffer.from(typeof request === "string" ? request : JSON.stringify(request)),
  response: response === undefined ? undefined : Buffer.from(JSON.stringify(response)),
  requestId: "rid",
  time: 1,
});

function events(r: DecodeResult): InferenceEvent[] {
  if (r.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}

const row = (i: number) => Array.from({ length: 30 }, (_, j) => i * 100 + j);

describe("columns of a multi-column input (OIP v2)", () => {
  const oip = openInferenceV2(modelOf(yaml("open-inference-v2")));
  const out = (n: number) => ({
    outputs: [
      { name: "predict_proba", shape: [n, 2], datatype: "FP64", data: Array(n).fill([0.25, 0.75]).flat() },
    ],
  });

  it("reads a subset of the columns of [n,k], nested or row-major flat data", () => {
    const nested = events(
      oip.decode(
        ex(
          { inputs: [{ name: "input-0", shape: [2, 30], datatype: "FP64", data: [row(0), row(1)] }] },
          out(2),
        ),
      ),
    );
    const flat = events(
      oip.decode(
        ex(
          { inputs: [{ name: "input-0", shape: [2, 30], datatype: "FP64", data: [...row(0), ...row(1)] }] },
          out(2),
        ),
      ),
    );
    for (const e of [nested, flat]) {
      expect(e.map((x) => x.features)).toEqual([
        { mean_radius: 0, mean_area: 3, worst_area: 23 },
        { mean_radius: 100, mean_area: 103, worst_area: 123 },
      ]);
      expect(e.map((x) => x.prediction)).toEqual([0.75, 0.75]);
    }
  });

  it("reads [k] and [1,k] as one row", () => {
    for (const shape of [[30], [1, 30]]) {
      const e = events(
        oip.decode(ex({ inputs: [{ name: "input-0", shape, datatype: "FP64", data: row(2) }] }, out(1))),
      );
      expect(e.map((x) => x.features)).toEqual([{ mean_radius: 200, mean_area: 203, worst_area: 223 }]);
    }
  });

  it("reads the columns of a binary [n,k] tensor (OIP binary extension)", () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "input-0", shape: [2, 30], datatype: "FP64", parameters: { binary_data_size: 480 } },
        ],
      }),
    );
    const raw = Buffer.alloc(480);
    for (const [i, v] of [...row(0), ...row(1)].entries()) raw.writeDoubleLE(v, 8 * i);
    const r = oip.decode({
      request: Buffer.concat([header, raw]),
      requestJsonLength: header.length,
      response: undefined,
      requestId: "b",
      time: 1,
    });
    expect(events(r).map((x) => x.features)).toEqual([
      { mean_radius: 0, mean_area: 3, worst_area: 23 },
      { mean_radius: 100, mean_area: 103, worst_area: 123 },
    ]);
  });

  it("says what it expected when the shape cannot hold the columns", () => {
    const narrow = oip.decode(ex({ inputs: [{ name: "input-0", shape: [1, 5], data: [1, 2, 3, 4, 5] }] }));
    expect(narrow).toMatchObject({ kind: "error", reason: "input_shape" });
    const detail = (narrow as { detail: string }).detail;
    expect(detail).toContain("input-0");
    expect(detail).toContain("[1,5]");
    expect(detail).toContain("mean_radius=0, mean_area=3, worst_area=23");
    expect(detail).toContain("column 23 (worst_area)");
    expect(oip.decode(ex({ inputs: [{ name: "input-0", shape: [2, 2, 30], data: [] }] }))).toMatchObject({
      reason: "input_shape",
    });
    expect(oip.decode(ex({ inputs: [{ name: "input-0", shape: [2, 30], data: row(0) }] }))).toMatchObject({
      reason: "input_shape",
    });
    const other = oip.decode(ex({ inputs: [{ name: "x", shape: [1, 30], data: row(0) }] }));
    expect(other).toMatchObject({ kind: "error", reason: "input_not_found" });
    expect((other as { detail: string }).detail).toContain("x [1,30]");
  });

  it("reads a single [n,k] input with every feature in order, and says why not when k differs", () => {
    const m = modelOf(`service: t
models:
  - name: m
    task: regression
    features: [{name: a, type: numeric}, {name: b, type: numeric}]
`);
    const oip2 = openInferenceV2(m);
    expect(
      events(oip2.decode(ex({ inputs: [{ name: "input-0", shape: [1, 2], data: [1, 2] }] }))).map(
        (e) => e.features,
      ),
    ).toEqual([{ a: 1, b: 2 }]);
    const r = oip2.decode(ex({ inputs: [{ name: "input-0", shape: [1, 30], data: row(0) }] }));
    expect(r).toMatchObject({ kind: "error", reason: "input_shape" });
    expect((r as { detail: string }).detail).toMatch(/input-0 has shape \[1,30\].*input:\/column:/);
  });

  it("reads one tensor per feature under another name with input:", () => {
    const m = modelOf(`service: t
models:
  - name: m
    task: regression
    features: [{name: radius, type: numeric, input: "mean radius"}, {name: area, type: numeric}]
`);
    const e = events(
      openInferenceV2(m).decode(
        ex({
          inputs: [
            { name: "mean radius", shape: [2], data: [1, 2] },
            { name: "area", shape: [2, 1], data: [[3], [4]] },
          ],
        }),
      ),
    );
    expect(e.map((x) => x.features)).toEqual([
      { radius: 1, area: 3 },
      { radius: 2, area: 4 },
    ]);
  });
});

describe("outputs", () => {
  it("never reads another output in place of a configured one: output_not_found, features kept", () => {
    const oip = openInferenceV2(modelOf(yaml("open-inference-v2")));
    const r = oip.decode(
      ex(
        { inputs: [{ name: "input-0", shape: [1, 30], data: row(0) }] },
        { outputs: [{ name: "predict", shape: [1], datatype: "INT64", data: [1] }] },
      ),
    );
    expect(r.kind).toBe("events");
    const e = r as Extract<DecodeResult, { kind: "events" }>;
    expect(e.events[0]?.prediction).toBeUndefined();
    expect(e.events[0]?.features.mean_area).toBe(3);
    expect(e.predictionError?.reason).toBe("output_not_found");
    expect(e.predictionError?.detail).toContain(
      '"predict_proba" is not in the response (its outputs: predict)',
    );
  });

  it("reads the only output when prediction.output is not set, and none when there are several", () => {
    const oip = openInferenceV2(modelOf(yaml("open-inference-v2", "{classes: ['0', '1']}")));
    const req = { inputs: [{ name: "input-0", shape: [1, 30], data: row(0) }] };
    const one = events(
      oip.decode(ex(req, { outputs: [{ name: "predict", shape: [1], datatype: "INT64", data: [1] }] })),
    );
    expect(one[0]).toMatchObject({ prediction: 1, predictionKind: "label" });
    const two = oip.decode(
      ex(req, {
        outputs: [
          { name: "a", shape: [1], data: [1] },
          { name: "b", shape: [1], data: [0.3] },
        ],
      }),
    );
    expect(two).toMatchObject({ kind: "events", predictionError: { reason: "output_not_found" } });
  });

  it("with prediction: false reads no output", () => {
    const oip = openInferenceV2(modelOf(yaml("open-inference-v2", "false")));
    const r = oip.decode(
      ex(
        { inputs: [{ name: "input-0", shape: [1, 30], data: row(0) }] },
        { outputs: [{ name: "x", shape: [1], data: [1] }] },
      ),
    );
    expect(r).toMatchObject({ kind: "events" });
    expect((r as { predictionError?: unknown }).predictionError).toBeUndefined();
    expect(events(r)[0]?.prediction).toBeUndefined();
  });

  it("rejects prediction: false together with labels", () => {
    expect(() => parseConfig(`${yaml("open-inference-v2", "false")}    labels: {ttl: 1h}\n`)).toThrow(
      ConfigError,
    );
  });
});

describe("KServe v1 / TF-Serving shapes", () => {
  const v1 = tfServing(modelOf(yaml("tf-serving")));
  it("reads columns of instances rows ([n,k]) and of columnar inputs", () => {
    const rows = events(
      v1.decode(
        ex(
          { instances: [row(0), row(1)] },
          {
            predictions: [
              [0.1, 0.9],
              [0.6, 0.4],
            ],
          },
        ),
      ),
    );
    expect(rows.map((x) => x.features)).toEqual([
      { mean_radius: 0, mean_area: 3, worst_area: 23 },
      { mean_radius: 100, mean_area: 103, worst_area: 123 },
    ]);
    expect(rows.map((x) => x.prediction)).toEqual([0.9, 0.4]);
    const named = events(v1.decode(ex({ instances: [{ "input-0": row(0) }] })));
    expect(named[0]?.features).toEqual({ mean_radius: 0, mean_area: 3, worst_area: 23 });
    const columnar = events(v1.decode(ex({ inputs: { "input-0": [row(0), row(1)] } })));
    expect(columnar.map((x) => x.features.worst_area)).toEqual([23, 123]);
    const bare = events(v1.decode(ex({ inputs: [row(3)] })));
    expect(bare[0]?.features.mean_area).toBe(303);
  });

  it("names an absent output of a named response, and counts ragged rows as a shape error", () => {
    const r = v1.decode(ex({ instances: [row(0)] }, { predictions: [{ predict: 1 }] }));
    expect(r).toMatchObject({ kind: "events", predictionError: { reason: "output_not_found" } });
    expect(v1.decode(ex({ instances: [row(0), [1, 2]] }))).toMatchObject({
      kind: "error",
      reason: "input_shape",
    });
  });
});

describe("json paths", () => {
  it("reads a column of a list under input:", () => {
    const m = modelOf(`service: t
models:
  - name: m
    task: regression
    protocol: json
    json: {features: rows}
    features: [{name: x, type: numeric, input: v, column: 1}]
`);
    const e = events(jsonPaths(m).decode(ex({ rows: [{ v: [5, 6] }, { v: 7 }] })));
    expect(e.map((x) => x.features)).toEqual([{ x: 6 }, { x: undefined }]);
  });
});
