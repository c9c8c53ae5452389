// Wires the agent from a Config: profiles → monitors → analysis pipeline → tap / ingest / Kafka →
// /metrics. Everything that can fail on bad input (profiles, config) fails in the constructor,
// before any listener opens, so the agent never half-starts. The parts live in src/agent/.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AnalysisPipeline, predictionIssueLogger } from "../agent/analysisPipeline.js";
import { JoinStateFile } from "../agent/joinStateFile.js";
import { kafkaSink } from "../agent/kafkaSink.js";
import {
  buildRuntimes,
  loadLayouts,
  predictionValueBuckets,
  type Runtime,
  scoreBins,
} from "../agent/runtime.js";
import { ShadowReplayer } from "../agent/shadowPart.js";
import { createTap } from "../agent/tapPart.js";
import { BcryptVerifier } from "../auth/bcryptVerifier.js";
import type { SecureListener } from "../auth/secureListener.js";
import { authenticates } from "../auth/webConfig.js";
import { loadWebConfigs, type WebConfigs } from "../auth/webConfigs.js";
import { latencyBuckets } from "../config/latencyBuckets.js";
import type { Config } from "../config/model.js";
import { ByteBudget } from "../export/byteBudget.js";
import { createInitialSeries } from "../export/initialSeries.js";
import { listenOn } from "../export/listen.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import { LogThrottle } from "../export/logThrottle.js";
import { AgentMetrics } from "../export/metrics.js";
import { createMetricsServer } from "../export/metricsServer.js";
import { LABEL_DELAY_BUCKETS } from "../export/qualityMetrics.js";
import { TRACING_OFF, type Tracing } from "../export/tracing.js";
import { PredictionForwarder } from "../forward/forwarder.js";
import { ForwardMetrics } from "../forward/forwardMetrics.js";
import { IngestServer } from "../ingest/server.js";
import { type KafkaSink, KafkaSource, type KafkaSourceOptions } from "../kafka/consumer.js";
import { KafkaMetrics } from "../kafka/kafkaMetrics.js";
import { kafkaSecurity } from "../kafka/kafkaSecurity.js";
import { PredictionPublisher } from "../kafka/predictionPublisher.js";
import { LabelJoin } from "../labels/labelJoin.js";
import type { BudgetOptions } from "../monitor/analysisBudget.js";
import type { AnalysisQueue } from "../monitor/analysisQueue.js";
import type { Work } from "../monitor/analyzer.js";
import type { Tap } from "../tap/proxy.js";
import { VERSION } from "./version.js";

export type { Runtime } from "../agent/runtime.js";

/** Who may send labels, known at start: their label counters exist at 0. */
function labelSources(config: Config, web: WebConfigs): string[] {
  const out: string[] = [];
  if (config.ingest)
    out.push(
      "http",
      "cloudevents",
      // forwarded predictions (POST /v1/predictions) from senders without a name
      "forward",
      ...(web.ingest?.users.keys() ?? []),
      ...(web.ingest?.tokens.keys() ?? []),
    );
  const k = config.kafka;
  if (k && !k.publishPredictions && k.topics.labels) out.push("kafka");
  return out.length > 0 ? out : ["http"];
}

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form). */
function isLoopback(address: string): boolean {
  return address === "::1" || /^(::ffff:)?127\./.test(address);
}

export interface Addresses {
  tap?: AddressInfo;
  ingest?: AddressInfo;
  metrics: AddressInfo;
}

const DEFAULT_MAX_BODY = 1_048_576;

export interface AgentOptions {
  processMetrics?: boolean;
  now?: () => number;
  analysisBudget?: BudgetOptions;
  /** pino logger (default: silent) */
  logger?: Logger;
  /** Kafka consumer tuning (tests) */
  kafka?: Pick<KafkaSourceOptions, "staleMs" | "sessionTimeoutMs" | "clientId" | "retries">;
  /** from createTracing (default: off) */
  tracing?: Tracing;
}

export class Agent {
  readonly metrics: AgentMetrics;
  readonly queue: AnalysisQueue<Work>;
  readonly pipeline: AnalysisPipeline;
  readonly runtimes: ReadonlyMap<string, Runtime>;
  readonly tap: Tap<Runtime> | undefined;
  readonly ingest: IngestServer | undefined;
  readonly metricsServer: Server;
  private readonly metricsListener: SecureListener;
  private readonly verifier = new BcryptVerifier();
  private readonly webConfigs: WebConfigs;
  /** state.file: the label join saved on SIGTERM, read at start */
  private readonly stateFile: JoinStateFile | undefined;
  /** what consumed Kafka messages are applied through (the join, then the model monitor) */
  readonly kafkaSink: KafkaSink;
  /** the Kafka consumer (an aggregator: `kafka` without publish_predictions) */
  readonly kafka: KafkaSource | undefined;
  /** the Kafka producer (a sidecar: kafka.publish_predictions) */
  readonly publisher: PredictionPublisher | undefined;
  /** predictions to another agent's label join (forward:) */
  readonly forwarder: PredictionForwarder | undefined;
  /** spans (TRACING_OFF unless given); the Kafka consumer takes `tracing.analysis` */
  readonly tracing: Tracing;
  /** the label join and quality metrics (src/labels/index.ts: the API label sources use) */
  readonly labels: LabelJoin;
  /** replays sampled requests to models' shadows (models[].shadow; with the tap only) */
  readonly shadow: ShadowReplayer | undefined;
  /** bytes of bodies and copies held (limits.max_buffered_bytes) */
  readonly memory: ByteBudget;
  private ready = false;
  private readonly log: Logger;

  constructor(
    readonly config: Config,
    opts: AgentOptions = {},
  ) {
    const tracing = opts.tracing ?? TRACING_OFF;
    this.tracing = tracing;
    const now = opts.now ?? Date.now;
    const log = opts.logger ?? silentLogger;
    this.log = log;
    // examples in the log, rates in the metrics: one line per kind of problem per 10 s at most
    const throttle = new LogThrottle(10_000, now);
    const layouts = loadLayouts(config, log);
    this.metrics = new AgentMetrics({
      version: VERSION,
      latencyBuckets: latencyBuckets(config),
      valueBuckets: predictionValueBuckets(config, layouts),
      labelDelayBuckets: [...LABEL_DELAY_BUCKETS, ...config.models.map((m) => m.labels.ttlMs / 1000)],
      processMetrics: opts.processMetrics,
    });
    const metrics = this.metrics;
    createInitialSeries(metrics, config);
    // TLS and credentials of the ingest and /metrics (a bad file is a ConfigError: exit 2)
    const webConfigs = loadWebConfigs(config);
    this.webConfigs = webConfigs;
    this.labels = new LabelJoin(
      config.models,
      metrics.quality,
      now,
      log,
      metrics.variants,
      labelSources(config, webConfigs),
      scoreBins(config, layouts),
    );
    const labels = this.labels;
    if (config.state)
      this.stateFile = new JoinStateFile(
        config.state.file,
        config.state.heartbeatMs,
        labels,
        metrics,
        log,
        now,
      );
    // forwarding agents join nothing themselves: their predictions are joined where they are sent
    const runtimes = buildRuntimes(
      config,
      layouts,
      metrics,
      config.forward ? undefined : labels,
      predictionIssueLogger(log, throttle),
    );
    this.runtimes = runtimes;

    // Kafka: a sidecar publishes its predictions (and consumes nothing: the aggregators join them);
    // an aggregator consumes the predictions and labels topics in one group
    const kc = config.kafka;
    // registered without Kafka too (no series then): the generated agent dashboard reads them
    const kafkaMetrics = new KafkaMetrics(metrics.registry);
    // SASL and TLS files are read now: a missing file stops the start (exit 2)
    const security = kc ? kafkaSecurity(kc, config.source) : undefined;
    if (kc?.publishPredictions && kc.topics.predictions)
      this.publisher = new PredictionPublisher({
        brokers: kc.brokers,
        security,
        topic: kc.topics.predictions,
        metrics: kafkaMetrics,
        logger: log,
      });
    const publisher = this.publisher;
    const forwardMetrics = new ForwardMetrics(metrics.registry);
    if (config.forward)
      this.forwarder = new PredictionForwarder({
        config: config.forward,
        metrics: forwardMetrics,
        logger: log,
        now,
      });
    const forwarder = this.forwarder;

    const maxBodyBytes = config.tap?.maxBodyBytes ?? DEFAULT_MAX_BODY;
    // every byte traffic makes the agent hold: tap bodies and copies, ingest bodies
    const memory = new ByteBudget(config.limits.maxBufferedBytes);
    this.memory = memory;
    this.pipeline = new AnalysisPipeline({
      metrics,
      now,
      log,
      throttle,
      queueSize: config.tap?.queueSize,
      maxBodyBytes,
      logPayloads: config.logging.logPayloads,
      budget: opts.analysisBudget,
      onEvent:
        publisher && forwarder
          ? (e, trace) => {
              publisher.offer(e, trace);
              forwarder.offer(e);
            }
          : publisher
            ? (e, trace) => publisher.offer(e, trace)
            : forwarder && ((e) => forwarder.offer(e)),
      memory,
    });
    const pipeline = this.pipeline;
    this.queue = pipeline.queue;

    if (config.tap && config.models.some((m) => m.shadow)) {
      this.shadow = new ShadowReplayer({
        runtimes,
        layouts: new Map(config.models.map((m, i) => [m.name, layouts[i]])),
        metrics: metrics.shadow,
        log,
        throttle,
        saturated: () => pipeline.budget.saturated,
        now,
        maxBodyBytes,
      });
    }
    if (config.tap) {
      const tap = createTap({
        tap: config.tap,
        runtimes,
        metrics,
        tracing,
        pipeline,
        log,
        throttle,
        budget: memory,
        shadow: this.shadow,
      });
      this.tap = tap;
      pipeline.inFlight = () => tap.requestsInFlight;
    }
    if (config.ingest) {
      this.ingest = new IngestServer({
        models: runtimes,
        submit: pipeline.submit,
        metrics,
        labels,
        maxBodyBytes,
        now,
        analysisTracer: tracing.analysis,
        limits: config.ingest,
        budget: memory,
        webConfig: webConfigs.ingest,
        verifier: this.verifier,
        log,
        forwardMetrics,
        slicer: pipeline.slicer,
      });
    }
    this.kafkaSink = kafkaSink(runtimes, pipeline.analyzer, labels, tracing.analysis);
    if (kc && !kc.publishPredictions && (kc.topics.predictions || kc.topics.labels)) {
      this.kafka = new KafkaSource({
        brokers: kc.brokers,
        security,
        groupId: kc.groupId,
        topics: kc.topics,
        sink: this.kafkaSink,
        metrics: kafkaMetrics,
        logger: log,
        now,
        // the join's checkpoint is committed with each offset; a new owner replays from it
        joinState: {
          waiting: () => labels.waitingByPartition(),
          handOver: (slot) => labels.handOver(slot),
          setHorizon: (t) => labels.setRestoreHorizon(t),
        },
        restoreCounters: {
          replayed: (n) => metrics.quality.restored.inc({ from: "kafka" }, n),
          unrecovered: (n) => metrics.quality.unrecovered.inc({ from: "kafka" }, n),
        },
        ...opts.kafka,
      });
      for (const c of [metrics.quality.restored, metrics.quality.unrecovered]) c.labels({ from: "kafka" });
    }
    const queue = this.queue;
    this.metricsListener = createMetricsServer({
      registry: metrics.registry,
      webConfig: webConfigs.metrics,
      verifier: this.verifier,
      log,
      limits: config.metrics,
      onReject: (reason) => metrics.listenerRejected.inc({ listener: "metrics", reason }),
      // not ready while the broker is away; /metrics and everything else keep serving
      ready: () => this.ready && (this.kafka?.ready ?? true),
      slicer: this.pipeline.slicer,
      beforeScrape: () => {
        metrics.queueDepth.set(queue.depth);
        metrics.bufferedBytes.set(memory.used);
        metrics.resetDriftGauges();
        const t = now();
        for (const r of runtimes.values()) r.monitor.refresh(t);
        labels.refresh(t);
        this.shadow?.refresh(t);
      },
    });
    this.metricsServer = this.metricsListener.server;
  }

  /** Resolves once everything offered so far is analysed, decompressed copies included (tests). */
  idle(): Promise<void> {
    return this.pipeline.idle();
  }

  /** Open the listeners (metrics first, so /healthz answers while the rest comes up). */
  async start(): Promise<Addresses> {
    const c = this.config;
    try {
      const out: Addresses = { metrics: await listenOn(this.metricsServer, c.metrics.listen, "metrics") };
      if (this.tap && c.tap) out.tap = await listenOn(this.tap.server, c.tap.listen, "tap");
      if (this.ingest && c.ingest) {
        out.ingest = await listenOn(this.ingest.server, c.ingest.listen, "ingest");
        if (!isLoopback(out.ingest.address) && !authenticates(this.webConfigs.ingest))
          this.log.warn({ ingest: `${out.ingest.address}:${out.ingest.port}` }, LOG.ingestOpen);
      }
      this.kafka?.start();
      this.stateFile?.start();
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
    // after the tap: its last responses may still offer replays (dropped as `shutdown` now)
    await this.shadow?.stop(Math.min(graceMs, 2000));
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, Math.min(graceMs, 2000)).unref())]);
    if (this.queue.depth > 0) this.log.warn({ queue_depth: this.queue.depth }, LOG.stoppedWithBacklog);
    await Promise.all([
      this.publisher?.close(Math.min(graceMs, 2000)),
      this.forwarder?.close(Math.min(graceMs, 2000)),
    ]);
    // spans of the requests just finished go out before the process exits
    await this.tracing.shutdown(Math.max(1000, Math.min(graceMs, 5000)));
    this.labels.stop(this.stateFile?.stop() ?? false);
    this.metricsListener.close();
    await this.verifier.close();
    if (!this.metricsServer.listening) return;
    await new Promise<void>((resolve) => {
      this.metricsServer.close(() => resolve());
      this.metricsServer.closeAllConnections();
    });
  }
}
