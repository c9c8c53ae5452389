// Values from traffic never become unbounded labels: thousands of random model names, versions,
// classes, status codes, finish reasons, feature names, CloudEvent types and ids, thrown at every
// entry point (tap, POST /v1/events, CloudEvents binary and structured mode); the number of series
// on /metrics stops growing, and every traffic-borne label value is configured, fixed or `other`.
import { createServer, type Server, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { parseMetrics, type Sample } from "../helpers/metricsText.js";

const EXTRA = `  - name: iris
    task: multiclass_classification
    protocol: json
    json: {features: features, prediction: prediction}
    route: /iris
    features: [{name: a, type: numeric}]
    windows: [5m]
    min_samples: 1
  - name: chat
    task: regression
    protocol: openai-chat
    route: /v1/chat
    features: []
    windows: [5m]
    min_samples: 1
`;

let upstream: Server;
let agent: Agent;
let addr: Addresses;
const r = rng(99);
const word = () => Math.floor(r() * 1e9).toString(36);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

// an upstream that answers every request with random statuses, versions, classes and finish reasons
function randomAnswer(path: string): { status: number; body: string } {
  const status = r() < 0.3 ? 100 + Math.floor(r() * 900) : 200;
  if (status < 200) return { status: 200, body: "{}" }; // a 1xx is not a final answer
  if (path.startsWith("/iris")) {
    const probs = Array.from({ length: 1 + Math.floor(r() * 50) }, () => r());
    return { status, body: JSON.stringify({ prediction: r() < 0.5 ? probs : word() }) };
  }
  if (path.startsWith("/v1/chat"))
    return {
      status,
      body: JSON.stringify({
        choices: [{ finish_reason: word() }],
        usage: { prompt_tokens: 1, completion_tokens: 2 },
      }),
    };
  return {
    status,
    body: JSON.stringify({
      model_name: word(),
      model_version: word(),
      outputs: [{ name: "probability", shape: [1], datatype: "FP64", data: [r() < 0.5 ? r() : word()] }],
    }),
  };
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const a = randomAnswer(req.url ?? "/");
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const { config } = writeFixture({ upstream: url, ingest: true, extraModels: EXTRA, queueSize: 100_000 });
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent?.stop(500);
  await new Promise((resolve) => upstream.close(resolve));
});

const CE_TYPES = [
  "org.kubeflow.serving.inference.request",
  "org.kubeflow.serving.inference.response",
  "io.seldon.serving.inference.request",
  "io.seldon.serving.inference.response",
  "io.seldon.serving.feedback",
];

/** One random value thrown at each entry point. */
async function round(): Promise<void> {
  const tap = `http://127.0.0.1:${addr.tap?.port}`;
  const ingest = `http://127.0.0.1:${addr.ingest?.port}`;
  const row = creditRow(r);
  const name = r() < 0.2 ? "credit" : word();
  await Promise.all([
    send(`${tap}/v2/models/credit/infer`, { body: oipRequest([row]) }),
    send(`${tap}${pick(["/iris", "/v1/chat/completions"])}`, {
      body: JSON.stringify({ features: { a: r(), [word()]: word() }, messages: [] }),
    }),
    // /v1/events: bad bodies naming random models, good ones with random versions, features, predictions
    send(`${ingest}/v1/events`, {
      body: [
        JSON.stringify({ model: word(), features: 5 }),
        JSON.stringify({
          model: pick(["credit", "iris", word()]),
          version: word(),
          features: { [word()]: r(), a: r() },
          prediction: word(),
        }),
        `{"model": "${word()}", broken`,
      ].join("\n"),
    }),
    // /v1/labels: random models, ids, classes and values, and lines that are not JSON
    send(`${ingest}/v1/labels`, {
      body: [
        JSON.stringify({ model: pick(["credit", "iris", word()]), id: word(), label: word() }),
        JSON.stringify({ model: pick(["credit", "iris"]), id: word(), value: r() < 0.5 ? word() : r() }),
        `{"model": "${word()}", broken`,
      ].join("\n"),
    }),
    // CloudEvents, binary mode: random models, types and ids
    send(`${ingest}/`, {
      headers: {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": word(),
        "ce-requestid": word(),
        "ce-source": word(),
        "ce-type": r() < 0.8 ? pick(CE_TYPES) : word(),
        "ce-inferenceservicename": name,
        [`ce-${word()}`]: word(),
      },
      body:
        r() < 0.5
          ? oipRequest([row])
          : JSON.stringify({ model_name: name, model_version: word(), outputs: [] }),
    }),
    // structured mode
    send(`${ingest}/`, {
      headers: { "content-type": "application/cloudevents+json" },
      body: JSON.stringify({
        specversion: "1.0",
        id: word(),
        source: word(),
        type: r() < 0.8 ? pick(CE_TYPES) : word(),
        modelid: name,
        [word()]: word(),
        data: {
          model_name: word(),
          model_version: word(),
          outputs: [{ name: "probability", data: [word()] }],
        },
      }),
    }),
  ]);
}

async function series(): Promise<Sample[]> {
  await agent.idle();
  agent.ingest?.expire(Number.POSITIVE_INFINITY);
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

describe("label cardinality", () => {
  it("stays bounded under thousands of random values at every entry point", {
    timeout: 120_000,
  }, async () => {
    const start = (await series()).length;
    for (let i = 0; i < 600; i++) await round();
    const first = await series();
    for (let i = 0; i < 600; i++) await round();
    const second = await series();
    // 1200 rounds × 6 entry points, each round with a dozen new random values: no new series in the
    // second half, and far fewer than one per value
    // no new series in the second half, but for the status codes Node.js names (a fixed set of ~60
    // per model, checked below) that the random statuses had not hit yet
    const key = (x: Sample) => `${x.name}${JSON.stringify(x.labels)}`;
    const firstKeys = new Set(first.map(key));
    // quality gauges appear when a window first holds min_samples joins (random labels join
    // rarely, so that may fall in the second half); their versions are bounded below
    const gated = /^infermon_(window_labeled_samples|model_(accuracy|precision|recall|f1|mae|rmse))$/;
    expect(
      second
        .filter((s) => s.name !== "infermon_inference_requests_total" && !gated.test(s.name))
        .map(key)
        .filter((k) => !firstKeys.has(k)),
    ).toEqual([]);
    expect(second.length - start).toBeLessThan(2000);
    const values = (label: string) =>
      new Set(second.flatMap((s) => (s.labels[label] === undefined ? [] : [s.labels[label]])));
    expect([...values("model")].sort()).toEqual(["chat", "credit", "house-price", "iris", "unknown"]);
    // versions: the configured ones, at most 16 from traffic per model, then "other"
    expect(values("model_version").size).toBeLessThanOrEqual(3 + 3 * 16 + 1);
    expect(values("model_version").has("other")).toBe(true);
    for (const c of values("code"))
      expect(c === "other" || /^[1-5]xx$/.test(c) || STATUS_CODES[Number(c)] !== undefined, c).toBe(true);
    expect(values("code").has("other")).toBe(true);
    expect(values("code").has("5xx")).toBe(true);
    expect([...values("reason")].every((x) => /^[a-z_]+$/.test(x))).toBe(true);
    expect(
      second.filter((s) => s.name === "infermon_llm_finish_reasons_total").map((s) => s.labels.reason),
    ).toEqual(["other"]);
    // classes: credit's configured ["0","1"] (a free-form class is not one of them), iris (no
    // classes configured) the first 100 it saw, then other
    const classes = (model: string) =>
      new Set(
        second
          .filter((s) => s.name === "infermon_predictions_total" && s.labels.model === model)
          .map((s) => s.labels.class),
      );
    expect(classes("credit")).toEqual(new Set(["0", "1"]));
    expect(classes("iris").size).toBe(101);
    expect(classes("iris").has("other")).toBe(true);
    expect(
      [...values("feature")].every((f) =>
        ["income", "age", "score", "region", "sqft", "rooms", "city", "a"].includes(f),
      ),
    ).toBe(true);
  });
});
