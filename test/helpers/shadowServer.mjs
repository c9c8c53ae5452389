#!/usr/bin/env node
// A second model server, run as its own process: the candidate a shadow test replays to. It serves
// the toy credit model (Open Inference Protocol v2) like test/helpers/modelServer.ts, with its
// score shifted by `shift` on the logit scale (a different model version), and can be made slow or
// failing while it runs: POST /control {"delayMs": 2000, "status": 500, "shift": 0.5}.
// Prints `listening <port>` on stdout once it accepts connections. Usage: node shadowServer.mjs [port]
import { createServer } from "node:http";

const state = { delayMs: 0, status: 200, shift: 0 };
/** what the shadow received: path, the headers the test asserts on */
const seen = [];

function creditScore(income, score, shift) {
  const z = (income - 60_000) / 40_000 + (score - 650) / 100 + shift;
  return 1 / (1 + Math.exp(-z));
}

const read = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(async (req, res) => {
  const body = await read(req);
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/control" && req.method === "POST") {
    Object.assign(state, JSON.parse(body.toString() || "{}"));
    return json(res, 200, state);
  }
  if (path === "/seen") return json(res, 200, seen);
  seen.push({
    path,
    shadow: req.headers["x-infermon-shadow"] ?? null,
    requestId: req.headers["x-request-id"] ?? null,
    cookie: req.headers.cookie ?? null,
    authorization: req.headers.authorization ?? null,
  });
  if (seen.length > 10_000) seen.shift();
  if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
  if (state.status !== 200) return json(res, state.status, { error: "failing on purpose" });
  const m = /^\/v2\/models\/([^/]+)\/infer$/.exec(path);
  if (!m || req.method !== "POST") return json(res, 404, { error: `no route ${path}` });
  let r;
  try {
    r = JSON.parse(body.toString());
  } catch {
    return json(res, 400, { error: "invalid JSON" });
  }
  const col = (n) => (r.inputs ?? []).find((i) => i?.name === n)?.data ?? [];
  const income = col("income");
  const score = col("score");
  const data = income.map((x, i) => creditScore(Number(x), Number(score[i]), state.shift));
  json(res, 200, {
    model_name: m[1],
    model_version: "4",
    ...(r.id !== undefined && { id: r.id }),
    outputs: [{ name: "probability", shape: [data.length], datatype: "FP64", data }],
  });
});

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
