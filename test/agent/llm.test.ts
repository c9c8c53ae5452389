// openai-chat through the tap: request counts, latency, token usage and finish reasons, from JSON
// and from streamed responses (which pass through unchanged).
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { writeFixture } from "../helpers/agentFixture.js";
import { endToEnd, send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;

const chatModel = `  - name: chat
    task: regression
    protocol: openai-chat
    route: /v1/chat/completions
    features: []
    windows: [5m]
    min_samples: 1
`;

beforeAll(async () => {
  upstream = await startModelServer();
  agent = new Agent(writeFixture({ upstream: upstream.url, extraModels: chatModel }).config, {
    processMetrics: false,
  });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(500);
  await upstream.close();
});

it("counts tokens and finish reasons of JSON and streamed chat completions", async () => {
  const tap = `http://127.0.0.1:${addr.tap?.port}/v1/chat/completions`;
  const plain = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
  const streamed = JSON.stringify({
    model: "m",
    stream: true,
    stream_options: { include_usage: true },
    messages: [],
  });
  for (const body of [plain, streamed]) {
    const direct = await send(`${upstream.url}/v1/chat/completions`, { body });
    const tapped = await send(tap, { body });
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
  }
  await agent.queue.idle();
  const m = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
  expect(metricValue(m, "infermon_llm_tokens_total", { model: "chat", type: "prompt" })).toBe(22);
  expect(metricValue(m, "infermon_llm_tokens_total", { model: "chat", type: "completion" })).toBe(6);
  expect(metricValue(m, "infermon_llm_finish_reasons_total", { model: "chat", reason: "stop" })).toBe(1);
  expect(metricValue(m, "infermon_llm_finish_reasons_total", { model: "chat", reason: "length" })).toBe(1);
  expect(metricValue(m, "infermon_inference_requests_total", { model: "chat", code: "200" })).toBe(2);
  expect(metricValue(m, "infermon_inference_request_duration_seconds_count", { model: "chat" })).toBe(2);
  expect(metricValue(m, "infermon_events_total", { model: "chat", source: "tap" })).toBe(2);
});
