// Real request-logger CloudEvents (test/fixtures/peer-events/: KServe agent v0.17.0 and Seldon Core
// v1 executor v1.18.2, toy data) replayed line by line as POST / to the real ingest server; the
// analysed counts on /metrics are exact.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { parseConfig } from "../../src/config/load.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";

interface Line {
  headers: Record<string, string>;
  body: string;
}

const FIXTURES = join(import.meta.dirname, "../fixtures/peer-events");
const lines = (name: string): Line[] =>
  readFileSync(join(FIXTURES, name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);

// the model the loggers were captured in front of: OIP v2, features amount and tenure, output prediction
const model = (name: string) => `  - name: ${name}
    version: "1"
    task: binary_classification
    protocol: open-inference-v2
    features: [{name: amount, type: numeric}, {name: tenure, type: numeric}]
    prediction: {output: prediction, threshold: 0.5, classes: ["0", "1"]}
    windows: [5m]
    min_samples: 1
`;

let agent: Agent | undefined;
let addr: Addresses;

async function start(models: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "infermon-peer-"));
  const text = `service: t\nmodels:\n${models.map(model).join("")}ingest: {listen: "127.0.0.1:0"}\nmetrics: {listen: "127.0.0.1:0"}\n`;
  writeFileSync(join(dir, "infermon.yaml"), text);
  agent = new Agent(parseConfig(text, join(dir, "infermon.yaml"), dir), { processMetrics: false });
  addr = await agent.start();
}

afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
});

async function replay(line: Line): Promise<number> {
  const r = await send(`http://127.0.0.1:${addr.ingest?.port}/`, { headers: line.headers, body: line.body });
  return r.status;
}

async function metrics(): Promise<Sample[]> {
  await agent?.queue.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

function expectClean(m: Sample[]): void {
  expect(metricValue(m, "infermon_parse_errors_total")).toBe(0);
  expect(metricValue(m, "infermon_events_dropped_total")).toBe(0);
  expect(metricValue(m, "infermon_pairing_conflicts_total")).toBe(0);
}

describe("real payload-logger events", () => {
  it("KServe: 7 calls of 3 rows analysed, the health GET (empty body) ignored, nothing unpaired", async () => {
    await start(["credit"]);
    for (const l of lines("kserve.jsonl")) expect(await replay(l)).toBe(202);
    expect(agent?.ingest?.pendingHalves).toBe(0);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(21);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "0" })).toBe(14);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "1" })).toBe(7);
    expect(metricValue(m, "infermon_events_ignored_total", { reason: "empty_body" })).toBe(1);
    expectClean(m);
  });

  it("Seldon v1: halves with different ce-ids pair by ce-requestid (8 calls, one answered first)", async () => {
    await start(["credit"]);
    for (const l of lines("seldon.jsonl")) expect(await replay(l)).toBe(202);
    expect(agent?.ingest?.pendingHalves).toBe(0);
    const m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(24);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "0" })).toBe(16);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "1" })).toBe(8);
    expect(metricValue(m, "infermon_events_ignored_total", { reason: "empty_body" })).toBe(0);
    expectClean(m);
  });

  it("two services reusing one id: halves naming different models never pair; the conflict is counted", async () => {
    await start(["credit", "house"]);
    const [request, response] = lines("kserve.jsonl").filter((l) => l.body !== "") as [Line, Line];
    const as = (l: Line, name: string): Line => ({
      headers: { ...l.headers, "ce-inferenceservicename": name },
      body: l.body.replace('"model_name":"credit"', `"model_name":"${name}"`),
    });
    await replay(as(request, "credit"));
    await replay(as(response, "house")); // same ce-id, another model: must not be joined
    let m = await metrics();
    expect(metricValue(m, "infermon_events_total", { source: "cloudevents" })).toBe(0);
    expect(metricValue(m, "infermon_pairing_conflicts_total")).toBe(1);
    await replay(as(response, "credit"));
    await replay(as(request, "house"));
    m = await metrics();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "cloudevents" })).toBe(3);
    expect(metricValue(m, "infermon_events_total", { model: "house", source: "cloudevents" })).toBe(3);
    expect(agent?.ingest?.pendingHalves).toBe(0);
  });
});
