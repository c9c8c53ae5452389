// Upgrade passthrough: a WebSocket through the tap to a real WebSocket server (ws), the handshake
// forwarded with x-forwarded-*, frames both ways untouched; 502/504 on the client's socket when the
// upstream cannot be reached, does not answer or hangs up; shutdown closes open tunnels. Other
// upgrade offers (h2c) are ignored, as a proxy may: the request is proxied and monitored as usual.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import { WebSocket } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { startModelServer } from "../helpers/modelServer.js";

let upstream: Server;
let wss: WebSocketServer;
let upstreamUrl: string;
let agent: Agent;
let addr: Addresses;
const handshakes: IncomingMessage[] = [];

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end("plain"));
  wss = new WebSocketServer({ server: upstream });
  wss.on("connection", (ws, req) => {
    handshakes.push(req);
    ws.on("message", (data, binary) => ws.send(binary ? data : `echo:${data.toString()}`, { binary }));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  agent = new Agent(writeFixture({ upstream: upstreamUrl }).config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent.stop(100);
  wss.close();
  await new Promise((r) => upstream.close(r));
});

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("websocket failed"));
  });
}

function next(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => {
    ws.onmessage = (e) => resolve(e.data);
  });
}

/** Sends a raw upgrade request and returns everything the tap writes back until it closes. */
function rawUpgrade(port: number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port ?? 0, "127.0.0.1");
    let out = "";
    s.on("connect", () =>
      s.write(
        "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ),
    );
    s.on("data", (d) => {
      out += d.toString("latin1");
    });
    s.on("close", () => resolve(out));
    s.on("error", reject);
  });
}

describe("WebSocket through the tap", () => {
  it("forwards the handshake and passes text and binary frames both ways", async () => {
    const ws = await open(`ws://127.0.0.1:${addr.tap?.port}/v2/models/credit/stream`);
    ws.send("hello");
    expect(await next(ws)).toBe("echo:hello");
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    ws.send(bytes);
    const back = new Uint8Array((await next(ws)) as ArrayBuffer);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    ws.close();
    const h = handshakes.at(-1);
    expect(h?.url).toBe("/v2/models/credit/stream");
    expect(h?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(h?.headers.upgrade).toBe("websocket");
  });

  it("answers 502 when the upstream is unreachable", async () => {
    const a = new Agent(writeFixture({ upstream: "http://127.0.0.1:1" }).config, { processMetrics: false });
    const ad = await a.start();
    try {
      const out = await rawUpgrade(ad.tap?.port);
      expect(out).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(out).toMatch(/upstream unreachable/);
    } finally {
      await a.stop(100);
    }
  });

  it("answers 504 when the upstream accepts but never answers", async () => {
    const silent = createTcpServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as AddressInfo).port;
    const a = new Agent(writeFixture({ upstream: `http://127.0.0.1:${port}`, timeout: "300ms" }).config, {
      processMetrics: false,
    });
    const ad = await a.start();
    try {
      const out = await rawUpgrade(ad.tap?.port);
      expect(out).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    } finally {
      await a.stop(100);
      silent.close();
    }
  });

  it("answers 502 when the upstream hangs up before answering", async () => {
    const rude = createTcpServer((s) => s.once("data", () => s.end()));
    await new Promise<void>((r) => rude.listen(0, "127.0.0.1", r));
    const port = (rude.address() as AddressInfo).port;
    const a = new Agent(writeFixture({ upstream: `http://127.0.0.1:${port}` }).config, {
      processMetrics: false,
    });
    const ad = await a.start();
    try {
      const out = await rawUpgrade(ad.tap?.port);
      expect(out).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(out).toMatch(/closed the connection before answering/);
    } finally {
      await a.stop(100);
      rude.close();
    }
  });

  it("closes open tunnels when the agent stops", async () => {
    const a = new Agent(writeFixture({ upstream: upstreamUrl }).config, { processMetrics: false });
    const ad = await a.start();
    const ws = await open(`ws://127.0.0.1:${ad.tap?.port}/ws`);
    const closed = new Promise((r) => {
      ws.onclose = r;
    });
    await a.stop(100);
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});

/** Writes `request` on the socket and reads one response with a Content-Length. */
function exchange(s: import("node:net").Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      out = Buffer.concat([out, d]);
      const text = out.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const len = /\r\ncontent-length: (\d+)/i.exec(text);
      if (end >= 0 && len && out.length >= end + 4 + Number(len[1])) {
        s.off("data", onData);
        resolve(text);
      }
    };
    s.on("data", onData);
    s.once("error", reject);
    s.write(request);
  });
}

describe("other upgrade offers (h2c)", () => {
  it("are ignored: the request is proxied, answered and monitored, and the connection stays usable", async () => {
    const model = await startModelServer();
    const a = new Agent(writeFixture({ upstream: model.url }).config, { processMetrics: false });
    const ad = await a.start();
    const s = connect(ad.tap?.port ?? 0, "127.0.0.1");
    try {
      await new Promise((r) => s.once("connect", r));
      const body = oipRequest([creditRow(rng(5))]);
      const expected = await send(`${model.url}/v2/models/credit/infer`, { body });
      const req = (extra: string) =>
        `POST /v2/models/credit/infer HTTP/1.1\r\nHost: x\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const first = await exchange(
        s,
        req(
          "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
        ),
      );
      expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(first).toMatch(/\r\nx-request-id: \S+/i);
      expect(first.endsWith(expected.body.toString("latin1"))).toBe(true);
      const second = await exchange(s, req(""));
      expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      await a.queue.idle();
      const m = parseMetrics((await send(`http://127.0.0.1:${ad.metrics.port}/metrics`)).body.toString());
      expect(metricValue(m, "infermon_inference_requests_total", { model: "credit", code: "200" })).toBe(2);
      expect(metricValue(m, "infermon_events_total", { model: "credit", source: "tap" })).toBe(2);
    } finally {
      s.destroy();
      await a.stop(100);
      await model.close();
    }
  });
});
