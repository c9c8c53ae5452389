// An HTTPS client for tests: like http.ts's send, with a CA, an optional client certificate.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { type RawResponse, readRawResponse } from "./http.js";

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
      (res) => readRawResponse(res).then(resolve, reject),
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
