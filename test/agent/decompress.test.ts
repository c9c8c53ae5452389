// Compressed copies larger than the one-shot cap (64 KiB) take the streaming path: analysed when they
// fit tap.max_body_bytes after decompression, a counted drop when they do not (a zip bomb), and the
// client gets the upstream's bytes either way. Plus the two decompressors' bounds on their own.
import { brotliCompressSync, constants, deflateRawSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { codingsOf, inflate, inflateSync, SYNC_MAX_BYTES } from "../../src/monitor/decompress.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { endToEnd, send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

const MAX = 1 << 20;
let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;

beforeAll(async () => {
  upstream = await startModelServer();
  const { config } = writeFixture({ upstream: upstream.url, maxBodyBytes: MAX });
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(1000);
  await upstream.close();
});

async function scrape() {
  await agent.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}

describe("decompressors", () => {
  const bomb = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
  it("stop at the limit: one-shot and streaming", async () => {
    expect(inflateSync(bomb, ["gzip"], SYNC_MAX_BYTES)).toEqual({ ok: false, reason: "too_large" });
    expect(await inflate(bomb, ["gzip"], MAX)).toEqual({ ok: false, reason: "too_large" });
    const text = Buffer.from("x".repeat(100_000));
    for (const [coding, body] of [
      ["gzip", gzipSync(text)],
      ["deflate", deflateRawSync(text)], // raw deflate, as some servers send it
      ["br", brotliCompressSync(text)],
    ] as const) {
      expect(inflateSync(body, [coding], 200_000)).toEqual({ ok: true, body: text });
      expect(await inflate(body, [coding], 200_000)).toEqual({ ok: true, body: text });
    }
    expect(await inflate(Buffer.from("nope"), ["gzip"], MAX)).toEqual({ ok: false, reason: "corrupt" });
    expect(inflateSync(Buffer.from("nope"), ["zstd"], MAX)).toEqual({ ok: false, reason: "unsupported" });
    expect(codingsOf("identity")).toBeUndefined();
    expect(codingsOf("GZIP, br")).toEqual(["gzip", "br"]);
  });
});

describe("streaming path through the tap", () => {
  it("analyses a body over 64 KiB decompressed and drops a bomb over max_body_bytes", async () => {
    const rows = Array.from({ length: 2000 }, () => creditRow(rng(8)));
    const plain = oipRequest(rows);
    expect(plain.length).toBeGreaterThan(SYNC_MAX_BYTES);
    expect(plain.length).toBeLessThan(MAX);
    const before = await scrape();
    const events = metricValue(before, "infermon_events_total", { model: "credit", source: "tap" }) ?? 0;
    const body = gzipSync(plain);
    // the test's model server cannot read gzip: it answers with the body the test gives it
    const headers = {
      "content-encoding": "gzip",
      "content-type": "application/json",
      "x-reply-b64": Buffer.from('{"outputs": []}').toString("base64"),
    };
    const tapped = await send(`http://127.0.0.1:${addr.tap?.port}/v2/models/credit/infer`, { headers, body });
    expect(tapped.status).toBe(200);
    // 256 MiB of zeros in 405 bytes of brotli, as the upstream's answer
    const bomb = brotliCompressSync(Buffer.alloc(256 << 20), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 4 },
    });
    const viaResponse = {
      headers: { "x-reply-b64": bomb.toString("base64"), "x-reply-encoding": "br" },
      body: oipRequest([creditRow(rng(9))]),
    };
    const direct = await send(`${upstream.url}/v2/models/credit/infer`, viaResponse);
    const bombed = await send(`http://127.0.0.1:${addr.tap?.port}/v2/models/credit/infer`, viaResponse);
    expect(endToEnd(bombed)).toEqual(endToEnd(direct));
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(events + 2000);
    expect(metricValue(m, "infermon_events_dropped_total", { reason: "decompressed_too_large" })).toBe(1);
  });
});
