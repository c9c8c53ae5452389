// An HTTP or HTTPS listener that admits only the senders its web config allows (ingest, metrics):
// TLS from tls_server_config (client certificates checked per client_auth_type and
// client_allowed_sans), then credentials when basic_auth_users or bearer_tokens are set — 401 with
// a WWW-Authenticate challenge otherwise, before a byte of the body is read. Paths marked open
// (/healthz, /readyz: probes carry no credentials and learn nothing) skip the credential check.
// The web config and the files it names are checked for changes every few seconds and reloaded
// (rotated certificates, added users); a file that no longer loads keeps the previous one in force.

import { statSync } from "node:fs";
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttps, type Server as HttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { ListenerLimits } from "../config/model.js";
import { applyLimits, type ListenerRejectReason, serverOptions } from "../export/listenerLimits.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import { Authenticator, type Principal } from "./authenticator.js";
import type { BcryptVerifier } from "./bcryptVerifier.js";
import { clientCertAllowed, tlsServerOptions } from "./tlsOptions.js";
import { loadWebConfig, type WebConfig } from "./webConfig.js";

export type SecureHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal | undefined,
) => void;

export interface SecureListenerOptions {
  role: "ingest" | "metrics";
  /** the config key naming the file, for messages (ingest.web_config_file) */
  key: string;
  webConfig: WebConfig | undefined;
  limits: ListenerLimits;
  verifier: BcryptVerifier;
  handler: SecureHandler;
  /** paths answered without credentials */
  open?: (path: string) => boolean;
  onReject?: (reason: ListenerRejectReason) => void;
  log?: Logger;
  /** how often the files are checked for changes (default 5 s; 0: never) */
  reloadMs?: number;
}

const CHALLENGE = ['Basic realm="infermon", charset="UTF-8"', 'Bearer realm="infermon"'];

export class SecureListener {
  readonly server: Server;
  readonly tls: boolean;
  private config: WebConfig | undefined;
  private readonly auth: Authenticator;
  private readonly timer: NodeJS.Timeout | undefined;
  private stamps: string;
  private readonly log: Logger;

  constructor(private readonly o: SecureListenerOptions) {
    this.config = o.webConfig;
    this.log = o.log ?? silentLogger;
    this.auth = new Authenticator(o.webConfig, o.verifier);
    const tls = o.webConfig?.tls;
    this.tls = tls !== undefined;
    const base = serverOptions(o.limits);
    const handle = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tls ? createHttps({ ...base, ...tlsServerOptions(tls) }, handle) : createHttp(base, handle);
    const reject = o.onReject ?? (() => {});
    applyLimits(this.server, o.limits, reject);
    if (tls)
      this.server.on("tlsClientError", (err: NodeJS.ErrnoException, socket: TLSSocket) => {
        // a client certificate that is missing or not signed by client_ca_file, or no TLS at all
        reject(/CERT|CERTIFICATE/i.test(`${err.code ?? ""} ${err.message}`) ? "unauthorized" : "bad_request");
        socket.destroy();
      });
    this.stamps = this.fileStamps();
    const every = o.reloadMs ?? 5_000;
    if (o.webConfig && every > 0) {
      this.timer = setInterval(() => this.reloadIfChanged(), every);
      this.timer.unref();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Reload the web config when it or a file it names changed (the timer calls this). */
  reloadIfChanged(): void {
    const current = this.config;
    if (!current) return;
    const stamps = this.fileStamps();
    if (stamps === this.stamps) return;
    this.stamps = stamps;
    try {
      const next = loadWebConfig(current.file, this.o.key);
      if ((next.tls === undefined) !== (current.tls === undefined))
        throw new Error("tls_server_config was added or removed: that takes a restart");
      if (next.tls) (this.server as HttpsServer).setSecureContext(tlsServerOptions(next.tls));
      this.config = next;
      this.auth.setConfig(next);
      this.log.info({ listener: this.o.role, file: current.file }, LOG.webConfigReloaded);
    } catch (err) {
      this.log.error(
        { listener: this.o.role, file: current.file, err: (err as Error).message },
        LOG.webConfigReloadFailed,
      );
    }
  }

  private fileStamps(): string {
    const c = this.config;
    if (!c) return "";
    const files = [c.file, c.tls?.certFile, c.tls?.keyFile, c.tls?.clientCaFile].filter(
      (f): f is string => !!f,
    );
    return files
      .map((f) => {
        try {
          const s = statSync(f);
          return `${s.mtimeMs}:${s.size}`;
        } catch {
          return "-";
        }
      })
      .join("|");
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const c = this.config;
    for (const [k, v] of c?.headers ?? []) res.setHeader(k, v);
    const tls = c?.tls;
    if (tls && !clientCertAllowed(req.socket as TLSSocket, tls)) {
      this.refuse(
        req,
        res,
        401,
        "unauthorized",
        "a client certificate allowed by tls_server_config is required",
      );
      return;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (this.o.open?.(path)) {
      this.o.handler(req, res, undefined);
      return;
    }
    const r = this.auth.check(req.headers.authorization);
    if (!(r instanceof Promise)) {
      if (r.ok) this.o.handler(req, res, r.principal);
      else this.refuse(req, res, 401, "unauthorized", "credentials required");
      return;
    }
    // the first request of a credential waits for its bcrypt check; the body waits unread
    req.pause();
    r.then(
      (x) => {
        if (res.destroyed) return;
        if (x.ok) {
          this.o.handler(req, res, x.principal);
          req.resume();
        } else this.refuse(req, res, 401, "unauthorized", "credentials required");
      },
      () => this.refuse(req, res, 401, "unauthorized", "credentials required"),
    );
  }

  /** 401/403 before the body is read; the rest of the body is discarded and the connection closed. */
  refuse(
    req: IncomingMessage,
    res: ServerResponse,
    status: 401 | 403,
    reason: ListenerRejectReason,
    message: string,
  ): void {
    this.o.onReject?.(reason);
    const text = JSON.stringify({ error: message });
    res.shouldKeepAlive = false;
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      connection: "close",
      ...(status === 401 && { "www-authenticate": CHALLENGE }),
    });
    res.end(text);
    req.resume();
  }
}
