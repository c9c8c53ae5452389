// Wires the agent from a Config: profiles → monitors → analysis queue → tap / ingest → /metrics.
// Everything that can fail on bad input (profiles, config) fails in `createAgent`, before any
// listener opens, so the agent never half-starts.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adapterFor } from "../adapters/adapterFor.js";
import { latencyBuckets } from "../config/latencyBuckets.js";
import type { Config, ModelConfig } from "../config/model.js";
import type { AnalysisTracer } from "../export/analysisTracing.js";
import { createInitialSeries, INITIAL_CODES } from "../export/initialSeries.js";
import { codeLabel } from "../export/labelValues.js";
import { listenOn } from "../export/listen.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LogThrottle } from "../export/logThrottle.js";
import { AgentMetrics } from "../export/metrics.js";
import { createMetricsServer } from "../export/metricsServer.js";
import { LABEL_DELAY_BUCKETS } from "../export/qualityMetrics.js";
import { logFields } from "../export/traceContext.js";
import { TRACING_OFF, type Tracing } from "../export/tracing.js";
import { IngestServer } from "../ingest/server.js";
import { type KafkaSink, KafkaSource, type KafkaSourceOptions } from "../kafka/consumer.js";
import type { ConsumeOutcome } from "../kafka/kafkaMessage.js";
import { KafkaMetrics } from "../kafka/kafkaMetrics.js";
import { PredictionPublisher } from "../kafka/predictionPublisher.js";
import { LabelJoin, type LabelOutcome } from "../labels/labelJoin.js";
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
  duration: { observe(v: number, traceId?: string): void };
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
  /** what consumed Kafka messages are applied through (the join, then the model monitor) */
  readonly kafkaSink: KafkaSink;
  /** the Kafka consumer (an aggregator: `kafka` without publish_predictions) */
  readonly kafka: KafkaSource | undefined;
  /** the Kafka producer (a sidecar: kafka.publish_predictions) */
  readonly publisher: PredictionPublisher | undefined;
  /** spans (TRACING_OFF unless given); the Kafka consumer takes `tracing.analysis` */
  readonly tracing: Tracing;
  /** the label join and quality metrics (src/labels/index.ts: the API label sources use) */
  readonly labels: LabelJoin;
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
      /** Kafka consumer tuning (tests) */
      kafka?: Pick<KafkaSourceOptions, "staleMs" | "sessionTimeoutMs" | "clientId" | "retries">;
      /** from createTracing (default: off) */
      tracing?: Tracing;
    } = {},
  ) {
    const tracing = opts.tracing ?? TRACING_OFF;
    this.tracing = tracing;
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
      labelDelayBuckets: [...LABEL_DELAY_BUCKETS, ...config.models.map((m) => m.labels.ttlMs / 1000)],
      processMetrics: opts.processMetrics,
    });
    const metrics = this.metrics;
    createInitialSeries(metrics, config);
    this.labels = new LabelJoin(config.models, metrics.quality, now, log);
    const labels = this.labels;
    const runtimes = new Map<string, Runtime>();
    config.models.forEach((m, i) => {
      runtimes.set(m.name, {
        name: m.name,
        version: m.version,
        route: m.route,
        model: m,
        adapter: adapterFor(m),
        monitor: new ModelMonitor(m, layouts[i], metrics, labels.monitor(m.name)),
      });
    });
    this.runtimes = runtimes;

    // Kafka: a sidecar publishes its predictions (and consumes nothing: the aggregators join them);
    // an aggregator consumes the predictions and labels topics in one group
    const kc = config.kafka;
    // registered without Kafka too (no series then): the generated agent dashboard reads them
    const kafkaMetrics = new KafkaMetrics(metrics.registry);
    if (kc?.publishPredictions && kc.topics.predictions)
      this.publisher = new PredictionPublisher({
        brokers: kc.brokers,
        topic: kc.topics.predictions,
        metrics: kafkaMetrics,
        logger: log,
      });
    const publisher = this.publisher;

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
            ...logFields(exchange?.trace),
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
      publisher && ((e, trace) => publisher.offer(e, trace)),
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
      (w) => {
        if (!w.trace) return analyzer.handle(w);
        try {
          analyzer.handle(w);
          w.trace.end();
        } catch (err) {
          w.trace.end("error");
          throw err;
        }
      },
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
        w.trace?.end("dropped");
        return false;
      }
      if (queue.offer(w)) return true;
      w.trace?.end("dropped");
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
        tracer: tracing.requests<Runtime>(config.tap.upstream),
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
          request(target, code, seconds, traceId) {
            const c = counters.get(target) as RequestCounters;
            c.duration.observe(seconds, traceId);
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
        labels,
        maxBodyBytes: config.tap?.maxBodyBytes ?? DEFAULT_MAX_BODY,
        now,
        analysisTracer: tracing.analysis,
      });
    }
    this.kafkaSink = kafkaSink(runtimes, analyzer, labels, tracing.analysis);
    if (kc && !kc.publishPredictions && (kc.topics.predictions || kc.topics.labels)) {
      this.kafka = new KafkaSource({
        brokers: kc.brokers,
        groupId: kc.groupId,
        topics: kc.topics,
        sink: this.kafkaSink,
        metrics: kafkaMetrics,
        logger: log,
        now,
        ...opts.kafka,
      });
    }
    this.metricsServer = createMetricsServer({
      registry: metrics.registry,
      // not ready while the broker is away; /metrics and everything else keep serving
      ready: () => this.ready && (this.kafka?.ready ?? true),
      beforeScrape: () => {
        metrics.queueDepth.set(queue.depth);
        metrics.resetDriftGauges();
        const t = now();
        for (const r of runtimes.values()) r.monitor.refresh(t);
        labels.refresh(t);
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
      this.kafka?.start();
      this.labels.start();
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
    await Promise.all([this.tap?.close(graceMs), this.ingest?.close(), this.kafka?.stop()]);
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, Math.min(graceMs, 2000)).unref())]);
    if (this.queue.depth > 0)
      this.log.warn({ queue_depth: this.queue.depth }, "stopped with copies not yet analysed");
    await this.publisher?.close(Math.min(graceMs, 2000));
    // spans of the requests just finished go out before the process exits
    await this.tracing.shutdown(Math.max(1000, Math.min(graceMs, 5000)));
    this.labels.stop();
    if (!this.metricsServer.listening) return;
    await new Promise<void>((resolve) => {
      this.metricsServer.close(() => resolve());
      this.metricsServer.closeAllConnections();
    });
  }
}

/**
 * Applies consumed Kafka messages at once (not through the analysis queue, which may drop: an
 * offset is committed only after its message is applied). A prediction id the join already holds
 * (a redelivery, a producer's retry) is a duplicate: neither joined nor counted for drift again.
 */
function kafkaSink(
  runtimes: ReadonlyMap<string, Runtime>,
  analyzer: Analyzer,
  labels: LabelJoin,
  tracer: AnalysisTracer,
): KafkaSink {
  const fromLabel: Record<LabelOutcome, ConsumeOutcome> = {
    matched: "applied",
    waiting: "applied",
    duplicate: "duplicate",
    invalid: "invalid",
    unknown_model: "unknown_model",
  };
  return {
    prediction(e, link) {
      const model = runtimes.get(e.model);
      if (!model) return "unknown_model";
      const event = { ...e, version: e.version ?? model.version };
      // the join first: the monitor's own hand-off to the join is then a no-op
      if (labels.recordPrediction(event) === "duplicate") return "duplicate";
      // a record with the producer's trace headers: an analysis span linked to it
      const trace =
        link && tracer.start("kafka", { name: model.name, version: event.version }, event.id, link);
      if (!trace) {
        analyzer.handle({ kind: "event", model, event, source: "kafka" });
        return "applied";
      }
      try {
        analyzer.handle({ kind: "event", model, event, source: "kafka", trace });
        trace.end();
      } catch (err) {
        trace.end("error");
        throw err;
      }
      return "applied";
    },
    label: (json) => fromLabel[labels.applyLabelJson(json)],
    unreadableLabel: () => {
      labels.unreadableLabel();
    },
  };
}

/** The start of a body for the log (only with logging.log_payloads). */
function sample(body: Buffer | undefined): string | undefined {
  if (!body) return undefined;
  const text = body.subarray(0, 1024).toString("utf8");
  return body.length > 1024 ? `${text}… (${body.length} bytes)` : text;
}
