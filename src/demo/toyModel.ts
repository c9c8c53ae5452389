// A toy model server speaking the Open Inference Protocol v2 for `infermon demo`: POST
// /v2/models/credit/infer with one input tensor per feature answers a `probability` output.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { creditProbability } from "./creditData.js";

interface Tensor {
  name: string;
  shape: number[];
  data: unknown[];
}

function infer(body: string): { status: number; json: unknown } {
  let req: { id?: string; inputs?: Tensor[] };
  try {
    req = JSON.parse(body);
  } catch {
    return { status: 400, json: { error: "body is not JSON" } };
  }
  const byName = new Map((req.inputs ?? []).map((t) => [t.name, t.data]));
  const rows = (req.inputs?.[0]?.shape[0] as number | undefined) ?? 0;
  const col = (name: string, i: number) => Number(byName.get(name)?.[i] ?? Number.NaN);
  const data = Array.from({ length: rows }, (_, i) => {
    const income = col("income", i);
    return creditProbability(Number.isNaN(income) ? 45000 : income, col("age", i), col("score", i));
  });
  return {
    status: 200,
    json: {
      model_name: "credit",
      model_version: "3",
      ...(req.id !== undefined && { id: req.id }),
      outputs: [{ name: "probability", datatype: "FP64", shape: [rows], data }],
    },
  };
}

export async function startToyModel(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/v2/health")) {
      res.writeHead(200).end();
      return;
    }
    if (req.method !== "POST" || req.url !== "/v2/models/credit/infer") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { status, json } = infer(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
