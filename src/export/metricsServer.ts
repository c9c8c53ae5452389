// /metrics (Prometheus text, or OpenMetrics with exemplars when the scraper asks for it), /healthz
// (the process answers) and /readyz (reference profiles are loaded and the agent's listeners are
// up), behind metrics.web_config_file's TLS and credentials (the probes' paths without credentials).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { BcryptVerifier } from "../auth/bcryptVerifier.js";
import { SecureListener } from "../auth/secureListener.js";
import type { WebConfig } from "../auth/webConfig.js";
import type { ListenerLimits } from "../config/model.js";
import { type LoopSlicer, UNSLICED } from "../monitor/loopSlicer.js";
import { DEFAULT_LIMITS, type ListenerRejectReason } from "./listenerLimits.js";
import type { Logger } from "./logger.js";
import { renderMetrics } from "./metricsText.js";
import { OPENMETRICS_CONTENT_TYPE, wantsOpenMetrics } from "./openMetrics.js";

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
  /** renders in slices, so a large /metrics never holds the proxy's loop for long (default: at once) */
  slicer?: LoopSlicer;
}

/** pieces are written in batches of about this many characters */
const WRITE_BATCH = 64 * 1024;

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
      const om = wantsOpenMetrics(req.headers.accept);
      const contentType = om ? OPENMETRICS_CONTENT_TYPE : o.registry.contentType;
      if (req.method === "HEAD") {
        res.writeHead(200, { "content-type": contentType }).end();
        return;
      }
      try {
        o.beforeScrape();
      } catch {
        // a failed recomputation leaves the last values; the scrape itself still answers
      }
      void streamMetrics(res, renderMetrics(o.registry, om, o.slicer ?? UNSLICED), contentType);
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

/**
 * Write the exposition as it is rendered, in batches, waiting for the scraper to drain. A failure
 * before the first byte answers 500; after it the connection is cut, so the scraper sees a failed
 * scrape rather than a truncated one.
 */
async function streamMetrics(res: ServerResponse, pieces: AsyncGenerator<string>, contentType: string) {
  let batch: string[] = [];
  let size = 0;
  try {
    for await (const piece of pieces) {
      if (res.destroyed) return; // the scraper went away: stop rendering
      batch.push(piece);
      size += piece.length;
      if (size < WRITE_BATCH) continue;
      if (!res.headersSent) res.writeHead(200, { "content-type": contentType });
      const ok = res.write(batch.join(""));
      batch = [];
      size = 0;
      if (!ok) await drained(res);
    }
    if (!res.headersSent) res.writeHead(200, { "content-type": contentType });
    res.end(batch.join(""));
  } catch (err) {
    if (!res.headersSent)
      res.writeHead(500, { "content-type": "text/plain" }).end(`${(err as Error).message}\n`);
    else res.destroy(err as Error);
  } finally {
    await pieces.return(undefined);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
