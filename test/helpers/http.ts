// A plain node:http client that returns the raw response (status line, raw header list, bytes).
import { type IncomingMessage, request } from "node:http";

export interface RawResponse {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The whole response, as it came. */
export function readRawResponse(res: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
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
  });
}

export function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string> | string[]; body?: Buffer | string } = {},
): Promise<RawResponse> {
  // a raw header list gets no default Host from node:http, and Node servers require one
  const headers = Array.isArray(opts.headers) ? ["Host", new URL(url).host, ...opts.headers] : opts.headers;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? (opts.body !== undefined ? "POST" : "GET"),
        headers,
        agent: false,
      },
      (res) => readRawResponse(res).then(resolve, reject),
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Connection-level headers a proxy may legitimately set differently, and the one the tap adds. */
const CONNECTION_LEVEL = new Set(["date", "connection", "keep-alive", "transfer-encoding", "x-request-id"]);

/** The end-to-end part of a response: status line, headers (in order, case kept), body. */
export function endToEnd(r: RawResponse): {
  status: number;
  statusMessage: string;
  headers: string[];
  body: string;
} {
  const headers: string[] = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2) {
    const n = r.rawHeaders[i] as string;
    if (!CONNECTION_LEVEL.has(n.toLowerCase())) headers.push(`${n}: ${r.rawHeaders[i + 1]}`);
  }
  return { status: r.status, statusMessage: r.statusMessage, headers, body: r.body.toString("base64") };
}
