// Protocol adapters: bodies → InferenceEvents (or the parse-error reason).
import { describe, expect, it } from "vitest";
import type { DecodeResult, Exchange, InferenceEvent } from "../../src/adapters/inferenceEvent.js";
import { jsonPaths } from "../../src/adapters/jsonPaths.js";
import { decodeTensor } from "../../src/adapters/oipBinary.js";
import { openaiChat } from "../../src/adapters/openaiChat.js";
import { openInferenceV2 } from "../../src/adapters/openInferenceV2.js";
import { tfServing } from "../../src/adapters/tfServing.js";
import { parseTolerantJson } from "../../src/adapters/tolerantJson.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";

const config = parseConfig(`service: t
models:
  - name: credit
    version: "3"
    task: binary_classification
    protocol: open-inference-v2
    features: [{name: income, type: numeric}, {name: age, type: numeric}, {name: region, type: categorical}]
    prediction: {output: probability, classes: ["0", "1"]}
    windows: [5m]
    min_samples: 1
  - name: iris
    task: multiclass_classification
    protocol: tf-serving
    features: [{name: a, type: numeric}, {name: b, type: numeric}]
    prediction: {output: probs, classes: [setosa, versicolor, virginica]}
    windows: [5m]
    min_samples: 1
  - name: house
    task: regression
    protocol: json
    json: {id: meta.rid, features: rows, prediction: out.values}
    features: [{name: sqft, type: numeric}, {name: city, type: categorical}]
    windows: [5m]
    min_samples: 1
  - name: bare
    task: binary_classification
    protocol: open-inference-v2
    prediction: {output: probability, classes: ["0", "1"]}
    windows: [5m]
    min_samples: 1
  - name: chat
    task: regression
    protocol: openai-chat
    features: []
    windows: [5m]
    min_samples: 1
`);
const model = (n: string) => config.models.find((m) => m.name === n) as ModelConfig;

const ex = (request: unknown, response?: unknown, extra: Partial<Exchange> = {}): Exchange => ({
  request:
    request === undefined
      ? undefined
      : Buffer.isBuffer(request)
        ? request
        : Buffer.from(typeof request === "string" ? request : JSON.stringify(request)),
  response:
    response === undefined
      ? undefined
      : Buffer.isBuffer(response)
        ? response
        : Buffer.from(typeof response === "string" ? response : JSON.stringify(response)),
  requestId: "rid",
  time: 1000,
  ...extra,
});

function events(r: DecodeResult): InferenceEvent[] {
  if (r.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}

describe("open inference v2", () => {
  const oip = openInferenceV2(model("credit"));
  const inputs = [
    { name: "income", shape: [2], datatype: "FP64", data: [50000, 70000] },
    { name: "age", shape: [2, 1], datatype: "INT64", data: [[30], [40]] },
    { name: "region", shape: [2], datatype: "BYTES", data: ["north", "south"] },
  ];

  it("reads one tensor per feature, one event per row, version and id from the response", () => {
    const e = events(
      oip.decode(
        ex(
          { id: "req-9", inputs },
          {
            model_name: "credit",
            model_version: "4",
            id: "req-9",
            outputs: [{ name: "probability", shape: [2], datatype: "FP32", data: [0.2, 0.9] }],
          },
        ),
      ),
    );
    expect(e).toEqual([
      {
        model: "credit",
        version: "4",
        id: "req-9:0",
        // the tap's x-request-id joins labels too
        requestId: "rid:0",
        features: { income: 50000, age: 30, region: "north" },
        prediction: 0.2,
        time: 1000,
      },
      {
        model: "credit",
        version: "4",
        id: "req-9:1",
        requestId: "rid:1",
        features: { income: 70000, age: 40, region: "south" },
        prediction: 0.9,
        time: 1000,
      },
    ]);
  });

  it("reads a single [n,k] input in feature order and [n,2] class probabilities", () => {
    const e = events(
      oip.decode(
        ex(
          { inputs: [{ name: "x", shape: [1, 3], datatype: "BYTES", data: [1, 2, "east"] }] },
          { outputs: [{ name: "probability", shape: [1, 2], datatype: "FP32", data: [0.3, 0.7] }] },
        ),
      ),
    );
    expect(e).toEqual([
      {
        model: "credit",
        version: "3",
        id: "rid",
        features: { income: 1, age: 2, region: "east" },
        prediction: 0.7,
        predictionKind: "score",
        time: 1000,
      },
    ]);
  });

  it("reads the features that are there when one feature's tensor is absent (that one is missing)", () => {
    const e = events(
      oip.decode(
        ex(
          { inputs: [inputs[0], inputs[2]] },
          { outputs: [{ name: "probability", shape: [2], datatype: "FP32", data: [0.2, 0.9] }] },
        ),
      ),
    );
    expect(e.map((x) => x.features)).toEqual([
      { income: 50000, age: undefined, region: "north" },
      { income: 70000, age: undefined, region: "south" },
    ]);
    expect(e.map((x) => x.prediction)).toEqual([0.2, 0.9]);
    // the tensors that are there must still agree on the rows
    expect(
      oip.decode(ex({ inputs: [inputs[0], { name: "region", shape: [1], data: ["north"] }] })),
    ).toMatchObject({ kind: "error", reason: "row_mismatch" });
  });

  it("names what is wrong", () => {
    expect(oip.decode(ex("{not json"))).toMatchObject({ kind: "error", reason: "malformed_json" });
    expect(oip.decode(ex('{"inputs": [{"name": "income", "data": [1'))).toMatchObject({
      kind: "error",
      reason: "truncated",
    });
    expect(oip.decode(ex({ inputs: [{ name: "zzz", shape: [1], data: [1] }] }))).toMatchObject({
      kind: "error",
      reason: "input_shape",
    });
    expect(oip.decode(ex({ inputs: 5 }))).toMatchObject({ kind: "error", reason: "wrong_shape" });
    expect(
      oip.decode(ex({ inputs }, { outputs: [{ name: "probability", shape: [3], data: [1, 2, 3] }] })),
    ).toMatchObject({ kind: "error", reason: "row_mismatch" });
  });

  it("reads the binary tensor extension", () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "income", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "age", shape: [2], datatype: "INT64", parameters: { binary_data_size: 16 } },
          { name: "region", shape: [2], datatype: "BYTES", parameters: { binary_data_size: 15 } },
        ],
      }),
    );
    const f = Buffer.alloc(8);
    f.writeFloatLE(1.5, 0);
    f.writeFloatLE(-2, 4);
    const a = Buffer.alloc(16);
    a.writeBigInt64LE(30n, 0);
    a.writeBigInt64LE(41n, 8);
    const s = Buffer.concat([
      Buffer.from([5, 0, 0, 0]),
      Buffer.from("north"),
      Buffer.from([2, 0, 0, 0]),
      Buffer.from("ab"),
    ]);
    const body = Buffer.concat([header, f, a, s]);
    const e = events(oip.decode(ex(body, undefined, { requestJsonLength: header.length })));
    expect(e.map((x) => x.features)).toEqual([
      { income: 1.5, age: 30, region: "north" },
      { income: -2, age: 41, region: "ab" },
    ]);
    expect(
      oip.decode(ex(body.subarray(0, body.length - 3), undefined, { requestJsonLength: header.length })),
    ).toMatchObject({ kind: "error", reason: "truncated" });
  });

  it("decodes every numeric datatype little-endian", () => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(0x3c00, 0); // 1.0 in FP16
    b.writeUInt16LE(0xc000, 2); // -2.0
    expect(decodeTensor("FP16", b.subarray(0, 4))).toEqual([1, -2]);
    expect(decodeTensor("UINT8", Buffer.from([1, 255]))).toEqual([1, 255]);
    expect(decodeTensor("INT8", Buffer.from([255]))).toEqual([-1]);
    expect(decodeTensor("BOOL", Buffer.from([0, 1]))).toEqual([false, true]);
    const d = Buffer.alloc(8);
    d.writeDoubleLE(Math.PI);
    expect(decodeTensor("FP64", d)).toEqual([Math.PI]);
    expect(decodeTensor("INT32", Buffer.from([1, 2, 3]))).toBeUndefined();
    expect(decodeTensor("COMPLEX", Buffer.from([1]))).toBeUndefined();
  });
});

describe("tf-serving", () => {
  const tf = tfServing(model("iris"));
  it("reads instances rows, NaN/Infinity tokens and probability vectors", () => {
    const e = events(
      tf.decode(
        ex(
          '{"instances": [{"a": NaN, "b": [2]}, {"a": 1, "b": 3}]}',
          '{"predictions": [[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]}',
        ),
      ),
    );
    expect(e[0]?.features.a).toBeNaN();
    expect(e[0]?.features.b).toBe(2);
    expect(e[0]?.prediction).toEqual([0.1, 0.7, 0.2]);
    expect(e.map((x) => x.id)).toEqual(["rid:0", "rid:1"]);
    // rows of bare values (one unnamed input), in feature order
    const f = events(
      tf.decode(ex('{"instances": [[Infinity, -Infinity]]}', '{"predictions": [[0.5, 0.2, 0.3]]}')),
    );
    expect(f[0]?.features).toEqual({ a: Number.POSITIVE_INFINITY, b: Number.NEGATIVE_INFINITY });
  });
  it("reads columnar inputs and outputs", () => {
    const e = events(
      tf.decode(
        ex(
          { inputs: { a: [1, 2], b: [3, 4] } },
          {
            outputs: {
              probs: [
                [1, 0, 0],
                [0, 0, 1],
              ],
            },
          },
        ),
      ),
    );
    expect(e.map((x) => x.features)).toEqual([
      { a: 1, b: 3 },
      { a: 2, b: 4 },
    ]);
    expect(e[1]?.prediction).toEqual([0, 0, 1]);
  });
  it("reads the columns that are there when one feature's column is absent (that one is missing)", () => {
    const e = events(
      tf.decode(
        ex(
          { inputs: { a: [1, 2] } },
          {
            predictions: [
              [1, 0, 0],
              [0, 1, 0],
            ],
          },
        ),
      ),
    );
    expect(e.map((x) => x.features)).toEqual([
      { a: 1, b: undefined },
      { a: 2, b: undefined },
    ]);
    expect(e[1]?.prediction).toEqual([0, 1, 0]);
    // the columns that are there must still agree on the rows; no known column at all says nothing
    expect(tf.decode(ex({ inputs: { a: [1, 2], b: [3] } }))).toMatchObject({
      kind: "error",
      reason: "row_mismatch",
    });
    expect(tf.decode(ex({ inputs: { zzz: [1] } }))).toMatchObject({
      kind: "error",
      reason: "input_not_found",
    });
  });
  it("rejects wrong shapes", () => {
    expect(tf.decode(ex({ instances: [[1, 2, 3]] }))).toMatchObject({ kind: "error", reason: "input_shape" });
    expect(tf.decode(ex({ instances: [[1, 2]] }, { predictions: [1, 2] }))).toMatchObject({
      kind: "error",
      reason: "row_mismatch",
    });
  });
});

describe("tolerant JSON", () => {
  it("reads bare tokens outside strings only", () => {
    expect(parseTolerantJson('{"s": "NaN Infinity", "x": [NaN, -Infinity]}')).toEqual({
      s: "NaN Infinity",
      x: [Number.NaN, Number.NEGATIVE_INFINITY],
    });
    expect(() => parseTolerantJson("{nope}")).toThrow(SyntaxError);
    expect(parseTolerantJson('"a\\"NaN"')).toBe('a"NaN');
  });
});

describe("json paths", () => {
  const j = jsonPaths(model("house"));
  it("reads features, prediction and id from the configured paths", () => {
    const e = events(
      j.decode(
        ex(
          { meta: { rid: "h1" }, rows: [{ sqft: 100, city: "x", extra: 1 }, { sqft: 200 }] },
          { out: { values: [1, 2] } },
        ),
      ),
    );
    expect(e).toEqual([
      {
        model: "house",
        version: "unknown",
        id: "h1:0",
        features: { sqft: 100, city: "x" },
        prediction: 1,
        time: 1000,
      },
      {
        model: "house",
        version: "unknown",
        id: "h1:1",
        features: { sqft: 200, city: undefined },
        prediction: 2,
        time: 1000,
      },
    ]);
    expect(j.decode(ex({ rows: 5 }))).toMatchObject({ kind: "error", reason: "wrong_shape" });
  });
});

describe("openai chat", () => {
  const c = openaiChat(model("chat"));
  it("reads usage and finish reasons from a JSON response", () => {
    expect(
      c.decode(
        ex(
          { messages: [] },
          { choices: [{ finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 30 } },
        ),
      ),
    ).toEqual({
      kind: "llm",
      usage: { model: "chat", promptTokens: 12, completionTokens: 30, finishReasons: ["stop"] },
    });
  });
  it("reads a streamed response, usage from the final chunk", () => {
    const sse = [
      'data: {"choices":[{"delta":{"content":"hi"},"finish_reason":null}]}',
      'data: {"choices":[{"delta":{},"finish_reason":"length"}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}',
      "data: [DONE]",
      "",
    ].join("\n\n");
    expect(c.decode(ex({ stream: true }, sse))).toEqual({
      kind: "llm",
      usage: { model: "chat", promptTokens: 5, completionTokens: 7, finishReasons: ["length"] },
    });
  });
});

describe("open-inference-v2 without features", () => {
  it("reads the predictions of a model configured without features (one empty row per input row)", () => {
    const r = openInferenceV2(model("bare")).decode(
      ex(
        { inputs: [{ name: "x", shape: [2], datatype: "FP64", data: [1, 2] }] },
        { outputs: [{ name: "probability", shape: [2], datatype: "FP64", data: [0.2, 0.9] }] },
      ),
    );
    expect(r.kind).toBe("events");
    const events = (r as { events: InferenceEvent[] }).events;
    expect(events.map((e) => [e.id, e.features, e.prediction])).toEqual([
      ["rid:0", {}, 0.2],
      ["rid:1", {}, 0.9],
    ]);
  });
});
