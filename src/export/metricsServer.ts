// /metrics (Prometheus text, or OpenMetrics with exemplars when the scraper asks for it), /healthz
// (the process answers) and /readyz (reference profiles are loaded and the agent's listeners are
// up), behind metrics.web_config_file's TLS and credentials (the probes' paths without credentials).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { BcryptVerifier } from "../auth/bcryptVerifier.js";
import { SecureListener } from "../auth/secureListener.js";
import type { WebConfig } from "../auth/webConfig.js";
import type { ListenerLimits } from "../config/model.js";
import { DEFAULT_LIMITS, type ListenerRejectReason } from "./listenerLimits.js";
import type { Logger } from "./logger.js";
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, wantsOpenMetrics } from "./openMetrics.js";

export interface MetricsServerOptions {
  registry: Registry;
  /** recompute scrape-time values (drift gauges) */
  beforeScrape: () => void;
  ready: () => boolean;
  /** timeouts and the connection cap (default: DEFAULT_LIMITS) */
  limits?: ListenerLimits;
  onReject?: (reason: ListenerRejectReason) => void;
  /** TLS and who may scrape (metrics.web_config_file): /metrics exposes the training distribution */
  webConfig?: WebConfig | undefined;
  verifier?: BcryptVerifier;
  log?: Logger;
}

/** Probes carry no credentials, and these answers reveal nothing. */
const OPEN = new Set(["/healthz", "/readyz"]);

export function createMetricsServer(o: MetricsServerOptions): SecureListener {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    if (path === "/readyz") {
      const ok = o.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ready\n" : "not ready\n");
      return;
    }
    if (path === "/metrics") {
      try {
        o.beforeScrape();
      } catch {
        // a failed recomputation leaves the last values; the scrape itself still answers
      }
      const om = wantsOpenMetrics(req.headers.accept);
      (om ? openMetricsText(o.registry) : o.registry.metrics()).then(
        (text) =>
          res
            .writeHead(200, { "content-type": om ? OPENMETRICS_CONTENT_TYPE : o.registry.contentType })
            .end(text),
        (err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${err.message}\n`),
      );
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  };
  return new SecureListener({
    role: "metrics",
    key: "metrics.web_config_file",
    webConfig: o.webConfig,
    limits: o.limits ?? DEFAULT_LIMITS,
    verifier: o.verifier ?? new BcryptVerifier(),
    handler,
    open: (path) => OPEN.has(path),
    onReject: o.onReject,
    log: o.log,
  });
}
