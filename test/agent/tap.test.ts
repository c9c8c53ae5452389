// The tap against a real upstream model server: byte-identical passthrough, headers, streaming,
// 502/504, bodies over the limit, content-encoded bodies, and what reaches /metrics.
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, houseRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { endToEnd, send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";

let upstream: ModelServer;
let agent: Agent;
let addr: Addresses;
let tapUrl: string;

async function scrape() {
  await agent.idle();
  const r = await send(`http://127.0.0.1:${addr.metrics.port}/metrics`);
  return parseMetrics(r.body.toString());
}

beforeAll(async () => {
  upstream = await startModelServer();
  const { config } = writeFixture({ upstream: upstream.url, maxBodyBytes: 4096, timeout: "300ms" });
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
  tapUrl = `http://127.0.0.1:${addr.tap?.port}`;
});

afterAll(async () => {
  await agent.stop(1000);
  await upstream.close();
});

describe("tap passthrough", () => {
  it("returns the upstream's OIP v2 response byte for byte and analyses it", async () => {
    const r = rng(1);
    const body = oipRequest([creditRow(r), creditRow(r)], "req-1");
    const opts = { method: "POST", headers: { "content-type": "application/json" }, body };
    const direct = await send(`${upstream.url}/v2/models/credit/infer`, opts);
    const tapped = await send(`${tapUrl}/v2/models/credit/infer`, opts);
    expect(tapped.status).toBe(200);
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    expect(tapped.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(2);
    expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "200" })).toBe(1);
    expect(metricValue(m, "infermon_inference_request_duration_seconds_count", { model: "credit" })).toBe(1);
  });

  it("keeps a client's x-request-id and passes it upstream", async () => {
    const r = await send(`${tapUrl}/echo/x`, {
      method: "POST",
      headers: { "x-request-id": "abc" },
      body: "x",
    });
    // /echo is not a model route: no id is generated, the header passes as sent
    expect(r.headers["x-request-id"]).toBeUndefined();
    const body = oipRequest([creditRow(rng(2))]);
    const t = await send(`${tapUrl}/v2/models/credit/infer`, {
      headers: { "x-request-id": "client-7" },
      body,
    });
    expect(t.headers["x-request-id"]).toBe("client-7");
  });

  it("keeps status text, header case, order and repeats; drops hop-by-hop; adds x-forwarded-*", async () => {
    const headers = [
      "Content-Type",
      "text/plain",
      "traceparent",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "Connection",
      "keep-alive, X-Hop",
      "X-Hop",
      "secret",
      "Content-Length",
      "5",
    ];
    const direct = await send(`${upstream.url}/echo/a`, { method: "POST", headers, body: "hello" });
    const tapped = await send(`${tapUrl}/echo/a`, { method: "POST", headers, body: "hello" });
    expect(tapped.status).toBe(201);
    expect(tapped.statusMessage).toBe("Made It");
    const strip = (h: string[]) =>
      h.filter((x) => !x.startsWith("X-Seen-Forwarded-For") && !x.startsWith("X-Seen-Connection-Listed"));
    expect(strip(endToEnd(tapped).headers)).toEqual(strip(endToEnd(direct).headers));
    expect(tapped.body.toString()).toBe("hello");
    expect(tapped.headers["x-seen-traceparent"]).toBe(
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    );
    expect(tapped.headers["x-seen-forwarded-for"]).toBe("127.0.0.1");
    expect(direct.headers["x-seen-connection-listed"]).toBe("secret");
    expect(tapped.headers["x-seen-connection-listed"]).toBe("");
    expect(tapped.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("proxies probes and GETs without analysing them", async () => {
    const before = metricValue(await scrape(), "infermon_events_total") ?? 0;
    const r = await send(`${tapUrl}/v2/health/live`);
    expect(r.status).toBe(200);
    const g = await send(`${tapUrl}/v2/models/credit`);
    expect(g.status).toBe(404);
    expect(metricValue(await scrape(), "infermon_events_total") ?? 0).toBe(before);
  });

  it("streams server-sent events as they arrive", async () => {
    // a tap of its own with a generous timeout: this tap's 300 ms idle limit is for the 504 test,
    // and the pause the test makes below must not meet it on a loaded machine
    const { config } = writeFixture({ upstream: upstream.url, timeout: "30s" });
    const own = new Agent(config, { processMetrics: false });
    const ownTap = `http://127.0.0.1:${(await own.start()).tap?.port}`;
    onTestFinished(() => own.stop(1000));
    const res = await fetch(`${ownTap}/stream`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const read = async () => {
      const c = await reader.read();
      if (!c.done) text += Buffer.from(c.value).toString();
      return c.done;
    };
    // the upstream holds its last events until the first one has come through the tap: streaming,
    // whatever the machine's load; a tap that buffered the response would deliver nothing
    let held: NodeJS.Timeout | undefined;
    const buffered = new Promise<never>((_, reject) => {
      held = setTimeout(
        () => reject(new Error(`no event through the tap while the upstream held the stream: "${text}"`)),
        20_000,
      );
    });
    try {
      while (!text.includes("\n\n")) if (await Promise.race([read(), buffered])) break;
    } finally {
      clearTimeout(held);
    }
    expect(text).toBe('data: {"n":0}\n\n');
    expect(upstream.streamSent()).toBe(1);
    upstream.releaseStream();
    while (!(await read()));
    expect(text).toBe('data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\n');
    expect(upstream.streamSent()).toBe(3);
  }, 60_000);

  it("answers 504 with a JSON body when the upstream is slower than the timeout", async () => {
    const body = oipRequest([creditRow(rng(3))]);
    const r = await send(`${tapUrl}/v2/models/credit/infer?delay=1000`, { body });
    expect(r.status).toBe(504);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body.toString())).toMatchObject({ status: 504 });
    const m = await scrape();
    expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "504" })).toBe(1);
  });

  it("passes bodies over max_body_bytes unchanged and counts the copy as dropped", async () => {
    const rows = Array.from({ length: 100 }, () => creditRow(rng(4)));
    const body = oipRequest(rows);
    expect(body.length).toBeGreaterThan(4096);
    const before =
      metricValue(await scrape(), "infermon_events_dropped_total", { reason: "body_too_large" }) ?? 0;
    const direct = await send(`${upstream.url}/v2/models/credit/infer`, { body });
    const tapped = await send(`${tapUrl}/v2/models/credit/infer`, { body });
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    // and a chunked upload of unknown length
    const chunked = await send(`${tapUrl}/v2/models/credit/infer`, {
      headers: { "transfer-encoding": "chunked" },
      body,
    });
    expect(endToEnd(chunked)).toEqual(endToEnd(direct));
    const after = metricValue(await scrape(), "infermon_events_dropped_total", { reason: "body_too_large" });
    expect(after).toBe(before + 2);
  });

  it("analyses gzip, deflate and br bodies (request and response) and passes them through unchanged", async () => {
    const rows = [creditRow(rng(5)), creditRow(rng(6))];
    const oipResponse = JSON.stringify({
      model_name: "credit",
      outputs: [{ name: "probability", shape: [2], datatype: "FP64", data: [0.2, 0.9] }],
    });
    const cases: [string, (b: Buffer | string) => Buffer][] = [
      ["gzip", (b) => gzipSync(b)],
      ["deflate", (b) => deflateSync(b)],
      ["br", (b) => brotliCompressSync(b)],
      ["gzip, br", (b) => brotliCompressSync(gzipSync(b))],
    ];
    const before = await scrape();
    const events = metricValue(before, "infermon_events_total", { model: "credit", source: "tap" }) ?? 0;
    const errors = metricValue(before, "infermon_parse_errors_total", { model: "credit" }) ?? 0;
    for (const [encoding, encode] of cases) {
      const headers = {
        "content-encoding": encoding,
        "content-type": "application/json",
        "x-reply-b64": encode(oipResponse).toString("base64"),
        "x-reply-encoding": encoding,
      };
      const body = encode(oipRequest(rows));
      const direct = await send(`${upstream.url}/v2/models/credit/infer`, { headers, body });
      const tapped = await send(`${tapUrl}/v2/models/credit/infer`, { headers, body });
      expect(tapped.headers["content-encoding"]).toBe(encoding);
      expect(endToEnd(tapped), encoding).toEqual(endToEnd(direct));
    }
    await agent.idle();
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(events + 8);
    expect(metricValue(m, "infermon_parse_errors_total", { model: "credit" })).toBe(errors);
  });

  it("counts a zip bomb as dropped (decompression stops at max_body_bytes) and corrupt or unknown codings as parse errors", async () => {
    const drops = (m: Awaited<ReturnType<typeof scrape>>) =>
      metricValue(m, "infermon_events_dropped_total", { reason: "decompressed_too_large" });
    const encodingErrors = (m: Awaited<ReturnType<typeof scrape>>) =>
      metricValue(m, "infermon_parse_errors_total", { model: "credit", reason: "content_encoding" });
    const before = await scrape();
    // 256 MiB of zeros in 405 bytes of brotli, answered by the upstream; 2 MiB in ~2 KiB of deflate sent
    const bomb = brotliCompressSync(Buffer.alloc(256 << 20), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 4 },
    });
    expect(bomb.length).toBeLessThan(4096);
    const plain = oipRequest([creditRow(rng(7))]);
    const rssBefore = process.memoryUsage().rss;
    const viaResponse = {
      headers: { "x-reply-b64": bomb.toString("base64"), "x-reply-encoding": "br" },
      body: plain,
    };
    const direct = await send(`${upstream.url}/v2/models/credit/infer`, viaResponse);
    const tapped = await send(`${tapUrl}/v2/models/credit/infer`, viaResponse);
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    const requestBomb = deflateSync(Buffer.alloc(2 << 20), { level: 9 });
    expect(requestBomb.length).toBeLessThan(4096);
    await send(`${tapUrl}/v2/models/credit/infer`, {
      headers: { "content-encoding": "deflate", "x-reply-b64": Buffer.from("{}").toString("base64") },
      body: requestBomb,
    });
    await agent.idle();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 << 20);
    let m = await scrape();
    expect(drops(m)).toBe((drops(before) ?? 0) + 2);
    // a body that is not what its Content-Encoding says, and a coding the agent cannot read
    for (const [encoding, body] of [
      ["gzip", Buffer.from("not gzip at all")],
      ["zstd", Buffer.from(plain)],
    ] as const) {
      const r = await send(`${tapUrl}/v2/models/credit/infer`, {
        headers: { "content-encoding": encoding, "x-reply-b64": Buffer.from("{}").toString("base64") },
        body,
      });
      expect(r.status).toBe(200);
    }
    await agent.idle();
    m = await scrape();
    expect(encodingErrors(m)).toBe((encodingErrors(before) ?? 0) + 2);
  });

  it("analyses TF-Serving :predict traffic", async () => {
    const r = rng(6);
    const body = JSON.stringify({ instances: [houseRow(r), houseRow(r), houseRow(r)] });
    const direct = await send(`${upstream.url}/v1/models/house-price:predict`, { body });
    const tapped = await send(`${tapUrl}/v1/models/house-price:predict`, { body });
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "house-price", source: "tap" })).toBe(3);
    expect(metricValue(m, "infermon_prediction_value_count", { model: "house-price" })).toBe(3);
  });
});

describe("OIP binary tensor extension", () => {
  it("passes binary bodies unchanged and analyses them from the Inference-Header-Content-Length headers", async () => {
    const before =
      metricValue(await scrape(), "infermon_events_total", { model: "credit", source: "tap" }) ?? 0;
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "income", shape: [2], datatype: "FP64", parameters: { binary_data_size: 16 } },
          { name: "age", shape: [2], datatype: "INT32", parameters: { binary_data_size: 8 } },
          { name: "score", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "region", shape: [2], datatype: "BYTES", data: ["north", "east"] },
        ],
      }),
    );
    const t = Buffer.alloc(32);
    t.writeDoubleLE(50_000, 0);
    t.writeDoubleLE(90_000, 8);
    t.writeInt32LE(30, 16);
    t.writeInt32LE(60, 20);
    t.writeFloatLE(700, 24);
    t.writeFloatLE(500, 28);
    const request = Buffer.concat([header, t]);
    const outHeader = Buffer.from(
      JSON.stringify({
        outputs: [{ name: "probability", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } }],
      }),
    );
    const p = Buffer.alloc(8);
    p.writeFloatLE(0.25, 0);
    p.writeFloatLE(0.75, 4);
    const response = Buffer.concat([outHeader, p]);
    const headers = {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(header.length),
      "x-reply-b64": response.toString("base64"),
      "x-reply-ihcl": String(outHeader.length),
    };
    const direct = await send(`${upstream.url}/v2/models/credit/infer`, { headers, body: request });
    const tapped = await send(`${tapUrl}/v2/models/credit/infer`, { headers, body: request });
    expect(endToEnd(tapped)).toEqual(endToEnd(direct));
    expect(tapped.body.equals(response)).toBe(true);
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(before + 2);
  });
});

describe("502", () => {
  it("answers 502 with a JSON body when the upstream is unreachable", async () => {
    const { config } = writeFixture({ upstream: "http://127.0.0.1:1" });
    const a = new Agent(config, { processMetrics: false });
    const ad = await a.start();
    try {
      const r = await send(`http://127.0.0.1:${ad.tap?.port}/v2/models/credit/infer`, {
        body: oipRequest([creditRow(rng(7))]),
      });
      expect(r.status).toBe(502);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(r.body.toString()).error).toMatch(/upstream unreachable/);
      expect(r.headers["x-request-id"]).toBeDefined();
    } finally {
      await a.stop(100);
    }
  });
});
