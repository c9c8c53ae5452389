// A small model server for tests: Open Inference Protocol v2 and TF-Serving REST, plus routes that
// stress a proxy (echo with odd headers, SSE stream, slow answers, replies given by the test).
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface ModelServer {
  url: string;
  server: Server;
  /** requests received, by path */
  hits: string[];
  /** the headers of each request received, in order */
  headers: IncomingHttpHeaders[];
  /** `/stream`: events written so far (it writes one, then holds the rest until `releaseStream`) */
  streamSent(): number;
  /** let `/stream` write its remaining events and end */
  releaseStream(): void;
  close(): Promise<void>;
}

/** The toy credit model: a probability from income and score. */
export function creditScore(income: number, score: number): number {
  const z = (income - 60_000) / 40_000 + (score - 650) / 100;
  return 1 / (1 + Math.exp(-z));
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

function oipInfer(body: Buffer, res: ServerResponse, model: string): void {
  let req: { id?: string; inputs?: { name: string; shape?: number[]; data: unknown[] }[] };
  try {
    req = JSON.parse(body.toString("utf8"));
  } catch {
    json(res, 400, { error: "invalid JSON" });
    return;
  }
  const inputs = Array.isArray(req?.inputs) ? req.inputs : [];
  const col = (n: string) => inputs.find((i) => i?.name === n)?.data ?? [];
  const income = col("income");
  const score = col("score");
  const n = income.length;
  const data = Array.from({ length: n }, (_, i) => creditScore(Number(income[i]), Number(score[i])));
  json(res, 200, {
    model_name: model,
    model_version: "3",
    ...(req?.id !== undefined && { id: req.id }),
    outputs: [{ name: "probability", shape: [n], datatype: "FP64", data }],
  });
}

function tfPredict(body: Buffer, res: ServerResponse): void {
  let req: { instances?: Record<string, unknown>[] };
  try {
    req = JSON.parse(body.toString("utf8"));
  } catch {
    json(res, 400, { error: "invalid JSON" });
    return;
  }
  const rows = Array.isArray(req?.instances) ? req.instances : [];
  const predictions = rows.map((r) => 50_000 + 150 * Number(r?.sqft ?? 0) + 10_000 * Number(r?.rooms ?? 0));
  json(res, 200, { predictions });
}

export async function startModelServer(): Promise<ModelServer> {
  const hits: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  let streamSent = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    hits.push(path);
    headers.push(req.headers);
    let body: Buffer;
    try {
      body = await read(req);
    } catch {
      // the client (the tap) went away mid-body: nothing to answer
      res.destroy();
      return;
    }
    const reply = req.headers["x-reply-b64"];
    if (typeof reply === "string") {
      // the test chooses the response body, byte for byte
      const b = Buffer.from(reply, "base64");
      const ihcl = req.headers["x-reply-ihcl"];
      const encoding = req.headers["x-reply-encoding"];
      res.writeHead(200, {
        ...(typeof encoding === "string" && { "Content-Encoding": encoding }),
        "Content-Type": typeof ihcl === "string" ? "application/octet-stream" : "application/json",
        "Content-Length": b.length,
        ...(typeof ihcl === "string" && { "Inference-Header-Content-Length": ihcl }),
      });
      res.end(b);
      return;
    }
    if (path === "/v2/health/live" || path === "/v2/health/ready") return json(res, 200, { live: true });
    const slow = Number(url.searchParams.get("delay") ?? 0);
    if (slow > 0) await new Promise((r) => setTimeout(r, slow));
    const oip = /^\/v2\/models\/([^/]+)\/(?:versions\/[^/]+\/)?infer$/.exec(path);
    if (oip && req.method === "POST") return oipInfer(body, res, oip[1] as string);
    if (/^\/v1\/models\/[^/:]+:predict$/.test(path) && req.method === "POST") return tfPredict(body, res);
    if (path.startsWith("/echo")) {
      // odd but legal headers: mixed case, repeated Set-Cookie, an ETag; echoes what it got
      res.writeHead(201, "Made It", [
        "X-Mixed-Case",
        "Value",
        "Set-Cookie",
        "a=1",
        "Set-Cookie",
        "b=2",
        "ETag",
        '"abc"',
        "Content-Type",
        req.headers["content-type"] ?? "application/octet-stream",
        "X-Seen-Traceparent",
        String(req.headers.traceparent ?? ""),
        "X-Seen-Forwarded-For",
        String(req.headers["x-forwarded-for"] ?? ""),
        "X-Seen-Connection-Listed",
        String(req.headers["x-hop"] ?? ""),
        "Content-Length",
        String(body.length),
      ]);
      res.end(body);
      return;
    }
    if (path === "/v1/chat/completions" && req.method === "POST") {
      let stream = false;
      try {
        stream = JSON.parse(body.toString()).stream === true;
      } catch {
        // not JSON: answer as if not streamed
      }
      const usage = { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 };
      if (!stream)
        return json(res, 200, {
          id: "c1",
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
          usage,
        });
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      for (const w of ["hel", "lo"]) {
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      res.write(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] })}\n\n`,
      );
      res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    if (path === "/stream") {
      // the first event, then the rest only when the test says so: a proxy that buffered the
      // response would deliver nothing until then
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      for (let i = 0; i < 3; i++) {
        if (i === 1) await released;
        res.write(`data: {"n":${i}}\n\n`);
        streamSent++;
        await new Promise((r) => setTimeout(r, 50));
      }
      res.end();
      return;
    }
    json(res, 404, { error: `no route ${path}` });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    hits,
    headers,
    streamSent: () => streamSent,
    releaseStream: release,
    close: () =>
      new Promise((resolve) => {
        release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
