// The sidecar tap as the agent runs it: the reverse proxy, with its request counters bound once per
// model (the proxy's path does no label lookups) and its copies handed to the analysis pipeline.
import type { TapConfig } from "../config/model.js";
import type { ByteBudget } from "../export/byteBudget.js";
import { INITIAL_CODES } from "../export/initialSeries.js";
import { codeLabel, OTHER } from "../export/labelValues.js";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { LogThrottle } from "../export/logThrottle.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { Tracing } from "../export/tracing.js";
import { Tap, type TapMirror } from "../tap/proxy.js";
import { RouteTable } from "../tap/routeTable.js";
import type { AnalysisPipeline } from "./analysisPipeline.js";
import type { Runtime } from "./runtime.js";

/** Inc/observe handles bound once per model, so the proxy's path does no label lookups. */
interface RequestCounters {
  duration: { observe(v: number, traceId?: string): void };
  codes: Map<number, { inc(): void }>;
  /** per A/B variant label, per code (models with variants) */
  variants?: Map<string, Map<number, { inc(): void }>>;
}

export function createTap(o: {
  tap: TapConfig;
  runtimes: ReadonlyMap<string, Runtime>;
  metrics: AgentMetrics;
  tracing: Tracing;
  pipeline: AnalysisPipeline;
  log: Logger;
  throttle: LogThrottle;
  /** replays sampled requests to the models' shadows */
  shadow?: TapMirror<Runtime> | undefined;
  /** limits.max_buffered_bytes, shared with the ingest */
  budget: ByteBudget;
}): Tap<Runtime> {
  const { metrics, log, throttle, pipeline } = o;
  const counters = new Map<Runtime, RequestCounters>();
  for (const r of o.runtimes.values()) {
    const labels = { model: r.name, model_version: r.version };
    // the codes the SLIs select exist at 0 from the start (initialSeries.ts)
    const codes = new Map(
      INITIAL_CODES.map((code) => [code, metrics.requests.labels({ ...labels, code: codeLabel(code) })]),
    );
    const c: RequestCounters = { duration: metrics.requestDuration.labels(labels), codes };
    if (r.model.variants) {
      c.variants = new Map();
      for (const variant of [...r.model.variants.names, OTHER])
        c.variants.set(
          variant,
          new Map(
            INITIAL_CODES.map((code) => [
              code,
              metrics.variants.requests.labels({ model: r.name, variant, code: codeLabel(code) }),
            ]),
          ),
        );
    }
    counters.set(r, c);
  }
  const drops = {
    body_too_large: metrics.dropped.labels({ reason: "body_too_large" }),
    memory_budget: metrics.dropped.labels({ reason: "memory_budget" }),
  };
  return new Tap<Runtime>({
    upstream: o.tap.upstream,
    maxBodyBytes: o.tap.maxBodyBytes,
    timeoutMs: o.tap.timeoutMs,
    limits: o.tap,
    budget: o.budget,
    onReject: (reason) => metrics.listenerRejected.inc({ listener: "tap", reason }),
    routes: new RouteTable([...o.runtimes.values()]),
    tracer: o.tracing.requests<Runtime>(o.tap.upstream),
    variant: (target, req) => target.variantOf?.(req),
    ...(o.shadow && { mirror: o.shadow }),
    onUpstreamError(e) {
      const t = throttle.take(`upstream:${e.status}`);
      if (t)
        log.warn(
          {
            status: e.status,
            method: e.method,
            path: e.path,
            request_id: e.requestId,
            ...(e.traceId !== undefined && { trace_id: e.traceId, span_id: e.spanId }),
            error: e.error,
            suppressed: t.suppressed,
          },
          e.status === 504 ? LOG.upstreamTimedOut : LOG.upstreamUnreachable,
        );
    },
    sink: {
      exchange(target, exchange, encodings, heldBytes) {
        pipeline.submit({ kind: "exchange", model: target, exchange, source: "tap", encodings, heldBytes });
      },
      drop(reason) {
        drops[reason].inc();
        pipeline.logDrop(reason);
      },
      request(target, code, seconds, traceId, variant) {
        const c = counters.get(target) as RequestCounters;
        c.duration.observe(seconds, traceId);
        if (c.variants && variant !== undefined)
          countVariant(c.variants, target.name, variant, code, metrics);
        let inc = c.codes.get(code);
        if (!inc) {
          inc = metrics.requests.labels({
            model: target.name,
            model_version: target.version,
            code: codeLabel(code),
          });
          c.codes.set(code, inc);
        }
        inc.inc();
      },
    },
  });
}

/** One request of an A/B variant (the label is a configured name or `other`: bounded). */
function countVariant(
  byVariant: Map<string, Map<number, { inc(): void }>>,
  model: string,
  variant: string,
  code: number,
  metrics: AgentMetrics,
): void {
  const label = byVariant.has(variant) ? variant : OTHER;
  const codes = byVariant.get(label) as Map<number, { inc(): void }>;
  let inc = codes.get(code);
  if (!inc) {
    inc = metrics.variants.requests.labels({ model, variant: label, code: codeLabel(code) });
    codes.set(code, inc);
  }
  inc.inc();
}
