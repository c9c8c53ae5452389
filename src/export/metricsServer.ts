// /metrics (Prometheus text, or OpenMetrics with exemplars when the scraper asks for it), /healthz (the process answers) and /readyz (reference profiles are
// loaded and the agent's listeners are up).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { ListenerLimits } from "../config/model.js";
import { applyLimits, DEFAULT_LIMITS, type ListenerRejectReason, serverOptions } from "./listenerLimits.js";
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, wantsOpenMetrics } from "./openMetrics.js";

export interface MetricsServerOptions {
  registry: Registry;
  /** recompute scrape-time values (drift gauges) */
  beforeScrape: () => void;
  ready: () => boolean;
  /** timeouts and the connection cap (default: DEFAULT_LIMITS) */
  limits?: ListenerLimits;
  onReject?: (reason: ListenerRejectReason) => void;
}

export function createMetricsServer(o: MetricsServerOptions): Server {
  const limits = o.limits ?? DEFAULT_LIMITS;
  const server = createServer(serverOptions(limits), (req, res) => {
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
  });
  applyLimits(server, limits, o.onReject);
  return server;
}
