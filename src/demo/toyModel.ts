// A toy model server speaking the Open Inference Protocol v2 for `infermon demo` and the end-to-end
// test: POST /v2/models/<name>/infer with one input tensor per feature (income, age, score) answers
// a `probability` output from the toy model (population.ts). `fail` lets a caller make it answer
// 500 (the end-to-end test's failing model server).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toyScore } from "./population.js";

interface Tensor {
  name: string;
  shape: number[];
  data: unknown[];
}

function infer(model: string, body: string): { status: number; json: unknown } {
  let req: { id?: string; inputs?: Tensor[] };
  try {
    req = JSON.parse(body);
  } catch {
    return { status: 400, json: { error: "body is not JSON" } };
  }
  const byName = new Map((req.inputs ?? []).map((t) => [t.name, t.data]));
  const rows = (req.inputs?.[0]?.shape[0] as number | undefined) ?? 0;
  const col = (name: string, i: number, fallback: number) => {
    const v = byName.get(name)?.[i];
    return v === null || v === undefined || Number.isNaN(Number(v)) ? fallback : Number(v);
  };
  // a missing income is imputed with the training median, as a real pipeline would
  const data = Array.from({ length: rows }, (_, i) =>
    toyScore(col("income", i, 40000), col("age", i, 42), col("score", i, 670)),
  );
  return {
    status: 200,
    json: {
      model_name: model,
      model_version: "3",
      ...(req.id !== undefined && { id: req.id }),
      outputs: [{ name: "probability", datatype: "FP64", shape: [rows], data }],
    },
  };
}

export interface ToyModel {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startToyModel(opts: { fail?: (model: string) => boolean } = {}): Promise<ToyModel> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/v2/health")) {
      res.writeHead(200).end();
      return;
    }
    const m = /^\/v2\/models\/([^/]+)\/infer$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const model = decodeURIComponent(m[1] as string);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (opts.fail?.(model)) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"model failed"}');
        return;
      }
      const { status, json } = infer(model, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
