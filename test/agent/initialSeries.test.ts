// Every counter an alert or SLI reads with rate()/increase() is on /metrics at 0 right after start:
// a series that first appears at 1 loses that increment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARSE_ERROR_REASONS } from "../../src/adapters/inferenceEvent.js";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { DROP_REASONS } from "../../src/export/reasons.js";
import { writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";

let agent: Agent;
let addr: Addresses;
let m: Sample[];

beforeAll(async () => {
  agent = new Agent(writeFixture({ ingest: true }).config, { processMetrics: false });
  addr = await agent.start();
  m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
});

afterAll(async () => {
  await agent.stop(500);
});

const MODELS = [
  { model: "credit", model_version: "3", categorical: ["region"], numeric: ["income", "age", "score"] },
  { model: "house-price", model_version: "1", categorical: ["city"], numeric: ["sqft", "rooms"] },
];

describe("series at 0 from the start", () => {
  it("requests per model for the codes the SLIs select, the tap's own 502/504 included", () => {
    for (const { model, model_version } of MODELS)
      for (const code of ["200", "500", "502", "504"])
        expect(
          metricValue(m, "infermon_inference_requests_total", { model, model_version, code }),
          `${model} ${code}`,
        ).toBe(0);
  });

  it("parse-error reasons per model, and for bodies naming no model", () => {
    for (const { model } of MODELS)
      for (const reason of PARSE_ERROR_REASONS)
        expect(metricValue(m, "infermon_parse_errors_total", { model, reason }), `${model} ${reason}`).toBe(
          0,
        );
    for (const reason of ["not_cloudevent", "malformed_json", "wrong_shape", "content_encoding"])
      expect(metricValue(m, "infermon_parse_errors_total", { model: "unknown", reason })).toBe(0);
  });

  it("drop reasons, ignored events, pairing conflicts and events per source", () => {
    for (const reason of DROP_REASONS)
      expect(metricValue(m, "infermon_events_dropped_total", { reason }), reason).toBe(0);
    expect(metricValue(m, "infermon_events_ignored_total", { reason: "empty_body" })).toBe(0);
    expect(metricValue(m, "infermon_pairing_conflicts_total")).toBe(0);
    for (const { model } of MODELS)
      for (const source of ["tap", "cloudevents", "http"])
        expect(metricValue(m, "infermon_events_total", { model, source }), `${model} ${source}`).toBe(0);
  });

  it("data quality per feature of the configured version; unseen_category only for categorical features", () => {
    for (const { model, model_version, categorical, numeric } of MODELS) {
      for (const feature of [...categorical, ...numeric]) {
        expect(metricValue(m, "infermon_feature_missing_total", { model, model_version, feature })).toBe(0);
        expect(metricValue(m, "infermon_feature_invalid_total", { model, model_version, feature })).toBe(0);
      }
      for (const feature of categorical)
        expect(metricValue(m, "infermon_feature_unseen_category_total", { model, feature })).toBe(0);
      for (const feature of numeric)
        expect(metricValue(m, "infermon_feature_unseen_category_total", { model, feature })).toBeUndefined();
    }
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "1" })).toBe(0);
    expect(metricValue(m, "infermon_predictions_total", { model: "credit", class: "0" })).toBe(0);
  });
});
