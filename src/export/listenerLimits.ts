// What every listener (tap, ingest, metrics) allows a connection: headers within min(10 s,
// read_timeout), the whole request within read_timeout, idle keep-alive connections closed after
// idle_timeout, at most max_connections at once. Node enforces the timeouts from a periodic check;
// it runs every second here (Node's default is 30 s, so a stalled body could outlive its timeout by
// that much). What a listener refuses is counted: infermon_listener_rejected_total{listener,reason}.
import { type Server as HttpServer, type ServerOptions, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ListenerLimits } from "../config/model.js";

/** `infermon_listener_rejected_total{reason}` values. */
export const LISTENER_REJECT_REASONS = [
  "max_connections",
  "read_timeout",
  "bad_request",
  "header_too_large",
  "memory_budget",
  "unauthorized",
  "forbidden",
] as const;
export type ListenerRejectReason = (typeof LISTENER_REJECT_REASONS)[number];

export const DEFAULT_LIMITS: ListenerLimits = {
  readTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxConnections: 1024,
};

const HEADERS_TIMEOUT_MS = 10_000;
const CHECK_INTERVAL_MS = 1_000;

/** Options for http.createServer / https.createServer. */
export function serverOptions(l: ListenerLimits): ServerOptions {
  const requestTimeout = l.readTimeoutMs;
  return {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    keepAliveTimeout: l.idleTimeoutMs,
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, Math.max(100, requestTimeout / 4)),
  };
}

/**
 * The connection cap, and the answers to requests the server refuses before they reach a handler
 * (a read timeout: 408; oversized headers: 431; unparseable: 400), each counted by `onReject`.
 */
export function applyLimits(
  server: HttpServer,
  l: ListenerLimits,
  onReject: (reason: ListenerRejectReason) => void = () => {},
): void {
  server.maxConnections = l.maxConnections;
  server.on("drop", () => onReject("max_connections"));
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? "";
    let status = 0;
    if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
      status = 408;
      onReject("read_timeout");
    } else if (code === "HPE_HEADER_OVERFLOW") {
      status = 431;
      onReject("header_too_large");
    } else if (code.startsWith("HPE_")) {
      status = 400;
      onReject("bad_request");
    }
    // a client that went away (ECONNRESET) is no rejection: nothing to answer
    const res = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (status > 0 && socket.writable && !res?.headersSent)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
    socket.destroy();
  });
}
