// The agent's pino log: an on-call engineer finds examples there (with the request id) while the
// metrics carry the rates; repeated problems are throttled, payloads only with logging.log_payloads.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

type Line = Record<string, unknown>;

function capture(): { lines: Line[]; logger: pino.Logger } {
  const lines: Line[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  return { lines, logger };
}

let upstream: ModelServer;
beforeAll(async () => {
  upstream = await startModelServer();
});
afterAll(async () => {
  await upstream.close();
});

describe("agent log", () => {
  it("logs the first upstream failure with its request id, then throttles", async () => {
    const { lines, logger } = capture();
    const a = new Agent(writeFixture({ upstream: "http://127.0.0.1:1" }).config, {
      processMetrics: false,
      logger,
    });
    const ad = await a.start();
    try {
      const body = oipRequest([creditRow(rng(2))]);
      const url = `http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`;
      const first = await send(url, { body });
      for (let i = 0; i < 4; i++) expect((await send(url, { body })).status).toBe(502);
      const warns = lines.filter((l) => l.level === 40);
      expect(warns).toHaveLength(1);
      expect(warns[0]).toMatchObject({
        msg: "upstream unreachable",
        status: 502,
        method: "POST",
        path: "/v2/models/credit/infer",
        request_id: first.headers["x-request-id"],
        suppressed: 0,
      });
      const m = parseMetrics((await send(`http://127.0.0.1:${ad.metrics.port}/metrics`)).body.toString());
      expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "502" })).toBe(5);
    } finally {
      await a.stop(100);
    }
  });

  it("logs a body it cannot read with model, reason and request id; the payload only when asked", async () => {
    for (const logPayloads of [false, true]) {
      const { lines, logger } = capture();
      const { config } = writeFixture({ upstream: upstream.url });
      const a = new Agent(
        { ...config, logging: { level: "info", logPayloads } },
        { processMetrics: false, logger },
      );
      const ad = await a.start();
      try {
        const r = await send(`http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`, {
          body: '{"inputs": [{"name": "income", "data": [1, 2',
          headers: { "x-request-id": "req-bad-1", "content-type": "application/json" },
        });
        expect(r.status).toBe(400); // the model server's own answer, passed through
        await a.queue.idle();
        // a 4xx exchange whose body cannot be read is no parse error (the server rejected it too);
        // a 2xx with a body the adapter cannot read is
        const ok = await send(`http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`, {
          body: oipRequest([creditRow(rng(3))]),
          headers: { "x-request-id": "req-bad-2", "x-reply-b64": Buffer.from("notjson").toString("base64") },
        });
        expect(ok.status).toBe(200);
        await a.queue.idle();
      } finally {
        await a.stop(100);
      }
      const warns = lines.filter(
        (l) => l.level === 40 && l.msg === "a body could not be read as the model's protocol",
      );
      expect(warns).toHaveLength(1);
      expect(warns[0]).toMatchObject({ model: "credit", request_id: "req-bad-2" });
      expect(typeof warns[0]?.reason).toBe("string");
      if (logPayloads) expect(String(warns[0]?.response_body)).toContain("notjson");
      else expect(warns[0]).not.toHaveProperty("response_body");
    }
  });
});
