// Reading an ingest request's body within its size limit and the memory budget shared with the
// tap (limits.max_buffered_bytes): refused before a byte is held when Content-Length says so,
// given back at once when the body never completes (read timeout, client gone).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ByteBudget } from "../export/byteBudget.js";
import type { AgentMetrics } from "../export/metrics.js";
import { toLength } from "../tap/hopByHop.js";

export interface BodyReadOptions {
  /** bytes the body may have (413 beyond) */
  limit: number;
  budget: ByteBudget;
  metrics: AgentMetrics;
}

/**
 * Read `req`'s body, then call `onBody` with it and `release`, which gives its bytes back to the
 * budget (call it once the body is no longer held). Too large (413) and over the budget (503 +
 * Retry-After) are answered here and counted.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  o: BodyReadOptions,
  onBody: (body: Buffer, release: () => void) => void,
): void {
  const { limit, budget, metrics } = o;
  const length = toLength(req.headers["content-length"]);
  const declared = length !== undefined && length >= 0 ? length : undefined;
  // refused before a byte of the body is held: too large, or over the memory budget
  if (declared !== undefined && declared > limit) {
    metrics.dropped.inc({ reason: "body_too_large" });
    refuse(req, res, 413, { error: `body over ${limit} bytes` });
    return;
  }
  let held = 0;
  const release = () => {
    budget.release(held);
    held = 0;
  };
  const overBudget = () => {
    release();
    metrics.listenerRejected.inc({ listener: "ingest", reason: "memory_budget" });
    refuse(req, res, 503, { error: "too many bytes buffered: retry later" }, "1");
  };
  if (declared !== undefined) {
    if (!budget.take(declared)) {
      overBudget();
      return;
    }
    held = declared;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  let state: "reading" | "over" | "refused" = "reading";
  req.on("data", (c: Buffer) => {
    if (state !== "reading") return;
    bytes += c.length;
    if (bytes > limit) {
      // a chunked body past the limit: nothing more is kept
      state = "over";
      chunks.length = 0;
      release();
      return;
    }
    if (bytes > held) {
      if (!budget.take(bytes - held)) {
        state = "refused";
        chunks.length = 0;
        overBudget();
        return;
      }
      held = bytes;
    }
    chunks.push(c);
  });
  req.once("error", () => {
    release();
    res.destroy();
  });
  // a body that never completes (read timeout, client gone) gives its bytes back at once
  req.once("close", () => {
    if (!req.complete) release();
  });
  req.once("end", () => {
    if (state === "refused") return;
    if (state === "over") {
      metrics.dropped.inc({ reason: "body_too_large" });
      reply(res, 413, { error: `body over ${limit} bytes` });
      return;
    }
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    chunks.length = 0;
    onBody(body, release);
  });
}

/**
 * Answer before the body was read, and discard the rest of it as it arrives (a client that writes
 * its whole body before reading the answer still gets it), then close the connection.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: 413 | 503,
  body: unknown,
  retryAfter?: string,
): void {
  const text = JSON.stringify(body);
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    connection: "close",
    ...(retryAfter !== undefined && { "retry-after": retryAfter }),
  });
  res.end(text);
  req.resume();
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
