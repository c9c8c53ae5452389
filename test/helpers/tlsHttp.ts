// An HTTPS client for tests: like http.ts's send, with a CA, an optional client certificate.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { RawResponse } from "./http.js";

export function sendTls(
  url: string,
  tls: { ca: string; cert?: string; key?: string },
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? (opts.body !== undefined ? "POST" : "GET"),
        headers: opts.headers,
        agent: false,
        ca: readFileSync(tls.ca),
        ...(tls.cert && { cert: readFileSync(tls.cert), key: readFileSync(tls.key as string) }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? "",
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
