// Wires the agent from a Config: profiles → monitors → analysis queue → tap / ingest → /metrics.
// Everything that can fail on bad input (profiles, config) fails in `createAgent`, before any
// listener opens, so the agent never half-starts.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adapterFor } from "../adapters/adapterFor.js";
import { latencyBuckets } from "../config/latencyBuckets.js";
import type { Config, ModelConfig } from "../config/model.js";
import { createInitialSeries, INITIAL_CODES } from "../export/initialSeries.js";
import { codeLabel } from "../export/labelValues.js";
import { listenOn } from "../export/listen.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LogThrottle } from "../export/logThrottle.js";
import { AgentMetrics } from "../export/metrics.js";
import { createMetricsServer } from "../export/metricsServer.js";
import { IngestServer } from "../ingest/server.js";
import { AnalysisBudget, type BudgetOptions } from "../monitor/analysisBudget.js";
import { AnalysisQueue } from "../monitor/analysisQueue.js";
import { Analyzer, type ModelRuntime, type Work } from "../monitor/analyzer.js";
import { loadLayout } from "../monitor/loadProfiles.js";
import { ModelMonitor } from "../monitor/modelMonitor.js";
import { Tap } from "../tap/proxy.js";
import { RouteTable } from "../tap/routeTable.js";
import { VERSION } from "./version.js";

export interface Runtime extends ModelRuntime {
  readonly version: string;
  readonly route: string;
  readonly model: ModelConfig;
}

/** Inc/observe handles bound once per model, so the proxy's path does no label lookups. */
interface RequestCounters {
  duration: { observe(v: number): void };
  codes: Map<number, { inc(): void }>;
}

export interface Addresses {
  tap?: AddressInfo;
  ingest?: AddressInfo;
  metrics: AddressInfo;
}

const DEFAULT_QUEUE = 10_000;
/** about what analysis at its floor gets through in one budget window (5 ms at ~10 µs a copy); at
 * most half the queue */
const SHED_BACKLOG = 512;
const DEFAULT_MAX_BODY = 1_048_576;

export class Agent {
  readonly metrics: AgentMetrics;
  readonly queue: AnalysisQueue<Work>;
  private readonly analyzer: Analyzer;
  readonly runtimes: ReadonlyMap<string, Runtime>;
  readonly tap: Tap<Runtime> | undefined;
  readonly ingest: IngestServer | undefined;
  readonly metricsServer: Server;
  private ready = false;
  private readonly log: Logger;

  constructor(
    readonly config: Config,
    opts: {
      processMetrics?: boolean;
      now?: () => number;
      analysisBudget?: BudgetOptions;
      /** pino logger (default: silent) */
      logger?: Logger;
    } = {},
  ) {
    const now = opts.now ?? Date.now;
    const log = opts.logger ?? silentLogger;
    this.log = log;
    // examples in the log, rates in the metrics: one line per kind of problem per 10 s at most
    const throttle = new LogThrottle(10_000, now);
    const layouts = config.models.map((m) => loadLayout(m));
    layouts.forEach((l, i) => {
      for (const slot of l?.slots ?? [])
        if (slot.referenceTotal === 0)
          log.warn(
            { model: config.models[i]?.name, feature: slot.name },
            "reference profile has no values for this feature: its drift is undefined and not exported",
          );
    });
    const valueBuckets = new Set<number>();
    config.models.forEach((m, i) => {
      const l = layouts[i];
      const p = l && l.predictionSlot >= 0 ? l.slots[l.predictionSlot] : undefined;
      if (m.task === "regression" && p?.bins.type === "numeric")
        for (const e of p.bins.values ?? p.bins.edges) valueBuckets.add(e);
    });
    this.metrics = new AgentMetrics({
      version: VERSION,
      latencyBuckets: latencyBuckets(config),
      valueBuckets: [...valueBuckets].sort((a, b) => a - b),
      processMetrics: opts.processMetrics,
    });
    const metrics = this.metrics;
    createInitialSeries(metrics, config);
    const runtimes = new Map<string, Runtime>();
    config.models.forEach((m, i) => {
      runtimes.set(m.name, {
        name: m.name,
        version: m.version,
        route: m.route,
        model: m,
        adapter: adapterFor(m),
        monitor: new ModelMonitor(m, layouts[i], metrics),
      });
    });
    this.runtimes = runtimes;

    const logPayloads = config.logging.logPayloads;
    const analyzer = new Analyzer(
      metrics,
      now,
      (model, reason, exchange) => {
        const t = throttle.take(`parse:${model}:${reason}`);
        if (!t) return;
        log.warn(
          {
            model,
            reason,
            request_id: exchange?.requestId,
            suppressed: t.suppressed,
            ...(logPayloads &&
              exchange && {
                request_body: sample(exchange.request),
                response_body: sample(exchange.response),
              }),
          },
          "a body could not be read as the model's protocol",
        );
      },
      {
        maxBodyBytes: config.tap?.maxBodyBytes ?? DEFAULT_MAX_BODY,
        // a decompressed copy goes back through the queue, under the same budget and drop rules
        resubmit: (w) => submit(w),
        drop: (reason) => {
          metrics.dropped.inc({ reason });
          dropped(reason);
        },
      },
    );
    this.analyzer = analyzer;
    // analysis yields the loop to a saturated proxy (docs/adr/0003-agent-runtime.md)
    let inFlight = (): number => 0;
    const budget = new AnalysisBudget(
      () => performance.now(),
      () => inFlight(),
      () => performance.eventLoopUtilization().active,
      opts.analysisBudget,
    );
    this.queue = new AnalysisQueue<Work>(
      config.tap?.queueSize ?? DEFAULT_QUEUE,
      analyzer.handle,
      (err) => {
        metrics.dropped.inc({ reason: "analysis_error" });
        const t = throttle.take("analysis_error");
        if (t) log.error({ err, suppressed: t.suppressed }, "analysis failed on a copy (dropped)");
      },
      { budget },
    );
    const queue = this.queue;
    const shedBacklog = Math.min(SHED_BACKLOG, Math.ceil(queue.capacity / 2));
    const dropQueueFull = metrics.dropped.labels({ reason: "queue_full" });
    const dropOverload = metrics.dropped.labels({ reason: "overload" });
    const dropTooLarge = metrics.dropped.labels({ reason: "body_too_large" });
    // While the loop is saturated analysis runs at its floor; copies beyond a short backlog are shed
    // at once ("overload") rather than held in the queue to be analysed seconds later.
    const dropped = (reason: string) => {
      const t = throttle.take(reason); // the reason itself is the kind: no string built per drop
      if (t)
        log.warn(
          { reason, queue_depth: queue.depth, suppressed: t.suppressed },
          "copies of traffic are not being analysed",
        );
    };
    const submit = (w: Work): boolean => {
      if (queue.depth >= shedBacklog && budget.saturated) {
        dropOverload.inc();
        dropped("overload");
        return false;
      }
      if (queue.offer(w)) return true;
      dropQueueFull.inc();
      dropped("queue_full");
      return false;
    };

    if (config.tap) {
      const counters = new Map<Runtime, RequestCounters>();
      for (const r of runtimes.values()) {
        const labels = { model: r.name, model_version: r.version };
        // the codes the SLIs select exist at 0 from the start (initialSeries.ts)
        const codes = new Map(
          INITIAL_CODES.map((code) => [code, metrics.requests.labels({ ...labels, code: codeLabel(code) })]),
        );
        counters.set(r, { duration: metrics.requestDuration.labels(labels), codes });
      }
      this.tap = new Tap<Runtime>({
        upstream: config.tap.upstream,
        maxBodyBytes: config.tap.maxBodyBytes,
        timeoutMs: config.tap.timeoutMs,
        routes: new RouteTable([...runtimes.values()]),
        onUpstreamError(e) {
          const t = throttle.take(`upstream:${e.status}`);
          if (t)
            log.warn(
              {
                status: e.status,
                method: e.method,
                path: e.path,
                request_id: e.requestId,
                error: e.error,
                suppressed: t.suppressed,
              },
              e.status === 504 ? "upstream timed out" : "upstream unreachable",
            );
        },
        sink: {
          exchange(target, exchange, encodings) {
            submit({ kind: "exchange", model: target, exchange, source: "tap", encodings });
          },
          drop() {
            dropTooLarge.inc();
            dropped("body_too_large");
          },
          request(target, code, seconds) {
            const c = counters.get(target) as RequestCounters;
            c.duration.observe(seconds);
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
      const tap = this.tap;
      inFlight = () => tap.requestsInFlight;
    }
    if (config.ingest) {
      this.ingest = new IngestServer({
        models: runtimes,
        submit,
        metrics,
        maxBodyBytes: config.tap?.maxBodyBytes ?? DEFAULT_MAX_BODY,
        now,
      });
    }
    this.metricsServer = createMetricsServer({
      registry: metrics.registry,
      ready: () => this.ready,
      beforeScrape: () => {
        metrics.queueDepth.set(queue.depth);
        metrics.resetDriftGauges();
        const t = now();
        for (const r of runtimes.values()) r.monitor.refresh(t);
      },
    });
  }

  /** Resolves once everything offered so far is analysed, decompressed copies included (tests). */
  async idle(): Promise<void> {
    do {
      await this.queue.idle();
      await this.analyzer.settled();
    } while (this.queue.depth > 0 || this.analyzer.pendingDecompressions > 0);
  }

  /** Open the listeners (metrics first, so /healthz answers while the rest comes up). */
  async start(): Promise<Addresses> {
    const c = this.config;
    try {
      const out: Addresses = { metrics: await listenOn(this.metricsServer, c.metrics.listen, "metrics") };
      if (this.tap && c.tap) out.tap = await listenOn(this.tap.server, c.tap.listen, "tap");
      if (this.ingest && c.ingest) out.ingest = await listenOn(this.ingest.server, c.ingest.listen, "ingest");
      this.ready = true;
      return out;
    } catch (err) {
      // e.g. a port in use: close what did open, so the process can exit instead of half-running
      await this.stop(0);
      throw err;
    }
  }

  /** Stop accepting, finish in-flight requests within `graceMs`, analyse what is queued, close. */
  async stop(graceMs: number): Promise<void> {
    this.ready = false;
    await Promise.all([this.tap?.close(graceMs), this.ingest?.close()]);
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, Math.min(graceMs, 2000)).unref())]);
    if (this.queue.depth > 0)
      this.log.warn({ queue_depth: this.queue.depth }, "stopped with copies not yet analysed");
    if (!this.metricsServer.listening) return;
    await new Promise<void>((resolve) => {
      this.metricsServer.close(() => resolve());
      this.metricsServer.closeAllConnections();
    });
  }
}

/** The start of a body for the log (only with logging.log_payloads). */
function sample(body: Buffer | undefined): string | undefined {
  if (!body) return undefined;
  const text = body.subarray(0, 1024).toString("utf8");
  return body.length > 1024 ? `${text}… (${body.length} bytes)` : text;
}
