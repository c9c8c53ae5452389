// HTTP/1.1 Upgrade passthrough (WebSocket and the like). The handshake goes to the upstream with
// `Connection: Upgrade` and the `Upgrade` field kept (the only hop-by-hop fields a tunnel must pass
// on), `x-forwarded-*` added like any request; after that the bytes are piped both ways untouched.
// Upgraded connections are not analysed. Unreachable upstream → 502, no answer in time → 504, both
// as plain HTTP/1.1 responses on the client's socket.
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as connectTls } from "node:tls";
import { upstreamRequestHeaders } from "./hopByHop.js";

export interface UpgradeTarget {
  host: string;
  port: number;
  basePath: string;
  timeoutMs: number;
  /** the upstream is https: the tunnel is TLS to it */
  tls: boolean;
  /** Authorization sent when the client sends none (tap.upstream's userinfo) */
  authorization?: string | undefined;
}

/** The value of the request's Upgrade field ("" when there is none). */
function upgradeOffer(req: IncomingMessage): string {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2)
    if ((raw[i] as string).toLowerCase() === "upgrade") return raw[i + 1] as string;
  return "";
}

export function isWebSocket(req: IncomingMessage): boolean {
  return /\bwebsocket\b/i.test(upgradeOffer(req));
}

/** The request head sent to the upstream for an upgrade request. */
export function upgradeRequestHead(req: IncomingMessage, basePath: string, authorization?: string): string {
  const { headers } = upstreamRequestHeaders(req.rawHeaders, {
    clientIp: req.socket.remoteAddress,
    proto: "http",
    upstreamAuthorization: authorization,
  });
  let head = `${req.method ?? "GET"} ${basePath}${req.url ?? "/"} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  head += `Connection: Upgrade\r\nUpgrade: ${upgradeOffer(req)}\r\n\r\n`;
  return head;
}

/**
 * An upgrade offer the tap ignores (anything but WebSocket, e.g. h2c): puts the request's bytes back
 * in front of what the socket still holds, minus the offer (the Upgrade field, and the `upgrade`
 * token in Connection), so the server parses it afresh as an ordinary request.
 */
export function replayWithoutUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Socket {
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    let value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === "upgrade") continue;
    if (lower === "connection") {
      value = value
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t !== "" && t.toLowerCase() !== "upgrade")
        .join(", ");
      if (value === "") continue;
    }
    text += `${name}: ${value}\r\n`;
  }
  const bytes = Buffer.from(`${text}\r\n`, "latin1");
  socket.unshift(head.length > 0 ? Buffer.concat([bytes, head]) : bytes);
  return socket;
}

function plainResponse(status: 502 | 504, message: string): string {
  const body = JSON.stringify({ error: message, status });
  const reason = status === 502 ? "Bad Gateway" : "Gateway Timeout";
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

export class UpgradeTunnels {
  private readonly open = new Set<Duplex>();

  constructor(
    private readonly target: UpgradeTarget,
    /** a handshake answered with 502/504 by the tap (for the log) */
    private readonly onFailure: (status: 502 | 504, req: IncomingMessage, error: string) => void = () => {},
  ) {}

  /** Tunnels currently open (both sockets of one count once). */
  get count(): number {
    return this.open.size;
  }

  handle(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const t = this.target;
    const upstream: Socket = t.tls
      ? connectTls({ host: t.host, port: t.port, servername: t.host })
      : connect({ host: t.host, port: t.port, noDelay: true });
    this.open.add(client);
    let answered = false;
    let failed = false;
    const fail = (status: 502 | 504, message: string) => {
      if (failed) return;
      failed = true;
      if (!answered && client.writable) {
        client.end(plainResponse(status, message));
        this.onFailure(status, req, message);
      } else client.destroy();
      upstream.destroy();
    };
    const timer = setTimeout(
      () => fail(504, `upstream did not answer within ${t.timeoutMs} ms`),
      t.timeoutMs,
    );
    timer.unref();
    upstream.once(t.tls ? "secureConnect" : "connect", () => {
      upstream.write(upgradeRequestHead(req, t.basePath, t.authorization));
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
    });
    upstream.once("data", () => {
      answered = true;
      clearTimeout(timer);
    });
    // not ended by the pipe: an upstream that closes before answering gets a 502, not an empty reply
    upstream.pipe(client, { end: false });
    upstream.once("end", () => {
      if (answered) client.end();
      else fail(502, "upstream closed the connection before answering");
    });
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(502, `upstream unreachable: ${err.code ?? err.message}`);
    });
    client.on("error", () => upstream.destroy());
    client.once("close", () => {
      clearTimeout(timer);
      upstream.destroy();
      this.open.delete(client);
    });
    upstream.once("close", () => {
      if (answered) client.end();
      else fail(502, "upstream closed the connection before answering");
    });
  }

  /** Close every tunnel (shutdown: upgraded connections have no request boundary to wait for). */
  closeAll(): void {
    for (const c of this.open) c.destroy();
    this.open.clear();
  }
}
