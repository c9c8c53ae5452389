// The analysis side of the agent: the analyzer, the queue it drains and the budget that keeps it
// off a saturated proxy's loop (docs/adr/0003-agent-runtime.md). Every source (tap, ingest)
// hands copies to `submit`, which never blocks: a copy it cannot take is dropped and counted.
import { type ByteBudget, UNLIMITED } from "../export/byteBudget.js";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { LogThrottle } from "../export/logThrottle.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { DropReason } from "../export/reasons.js";
import { logFields } from "../export/traceContext.js";
import { AnalysisBudget, type BudgetOptions } from "../monitor/analysisBudget.js";
import { AnalysisQueue } from "../monitor/analysisQueue.js";
import { Analyzer, type EventListener, type Work } from "../monitor/analyzer.js";
import { LoopSlicer } from "../monitor/loopSlicer.js";
import { mainThreadCpuClock } from "../monitor/threadCpu.js";

const DEFAULT_QUEUE = 10_000;
/** about what analysis at its floor gets through in one budget window (5 ms at ~10 µs a copy); at
 * most half the queue */
const SHED_BACKLOG = 512;

export interface AnalysisPipelineOptions {
  metrics: AgentMetrics;
  now: () => number;
  log: Logger;
  throttle: LogThrottle;
  /** tap.queue_size */
  queueSize: number | undefined;
  /** most bytes a decompressed copy may have */
  maxBodyBytes: number;
  logPayloads: boolean;
  budget?: BudgetOptions | undefined;
  /** each event analysed from the tap or ingest (kafka.publish_predictions) */
  onEvent?: EventListener | undefined;
  /** the memory budget queued copies hold bytes of (limits.max_buffered_bytes) */
  memory?: ByteBudget | undefined;
}

/** Logs (throttled per model and reason) a prediction not read as configured; it is counted already. */
export function predictionIssueLogger(log: Logger, throttle: LogThrottle) {
  return (model: string, reason: string, detail: string, requestId: string | undefined): void => {
    const t = throttle.take(`prediction:${model}:${reason}`);
    if (t)
      log.warn(
        { model, reason, detail, request_id: requestId, suppressed: t.suppressed },
        LOG.predictionUnread,
      );
  };
}

export class AnalysisPipeline {
  readonly analyzer: Analyzer;
  readonly queue: AnalysisQueue<Work>;
  readonly budget: AnalysisBudget;
  /**
   * Slices for the agent's other long work on this loop (rendering /metrics, reading big ingest
   * bodies): their time is monitoring's, not the proxy's, in the budget's accounts.
   */
  readonly slicer: LoopSlicer;
  /** requests the proxy has in flight (set once the tap exists) */
  inFlight: () => number = () => 0;
  private readonly shedBacklog: number;
  private readonly memory: ByteBudget;
  private readonly dropQueueFull;
  private readonly dropOverload;

  constructor(private readonly o: AnalysisPipelineOptions) {
    const { metrics, log, throttle } = o;
    const logPrediction = predictionIssueLogger(log, throttle);
    this.analyzer = new Analyzer(
      metrics,
      o.now,
      (model, reason, exchange, detail) => {
        const t = throttle.take(`parse:${model}:${reason}`);
        if (!t) return;
        log.warn(
          {
            model,
            reason,
            ...(detail !== undefined && { detail }),
            request_id: exchange?.requestId,
            ...logFields(exchange?.trace),
            suppressed: t.suppressed,
            ...(o.logPayloads &&
              exchange && {
                request_body: sample(exchange.request),
                response_body: sample(exchange.response),
              }),
          },
          LOG.parseError,
        );
      },
      {
        maxBodyBytes: o.maxBodyBytes,
        // a decompressed copy goes back through the queue, under the same budget and drop rules
        resubmit: (w) => this.submit(w),
        drop: (reason) => this.drop(reason),
      },
      o.onEvent,
      (model, error, exchange) => logPrediction(model, error.reason, error.detail, exchange?.requestId),
    );
    this.budget = new AnalysisBudget(
      () => performance.now(),
      () => this.inFlight(),
      mainThreadCpuClock() ?? (() => performance.eventLoopUtilization().active),
      o.budget,
    );
    this.slicer = new LoopSlicer({ onWork: (ms) => this.budget.spendOutside(ms) });
    const analyzer = this.analyzer;
    const memory = o.memory ?? UNLIMITED;
    this.memory = memory;
    this.queue = new AnalysisQueue<Work>(
      o.queueSize ?? DEFAULT_QUEUE,
      (w) => {
        try {
          if (!w.trace) return analyzer.handle(w);
          try {
            analyzer.handle(w);
            w.trace.end();
          } catch (err) {
            w.trace.end("error");
            throw err;
          }
        } finally {
          if (w.kind === "exchange" && w.heldBytes) memory.release(w.heldBytes);
        }
      },
      (err) => {
        metrics.dropped.inc({ reason: "analysis_error" });
        const t = throttle.take("analysis_error");
        if (t) log.error({ err, suppressed: t.suppressed }, LOG.analysisFailed);
      },
      { budget: this.budget },
    );
    this.shedBacklog = Math.min(SHED_BACKLOG, Math.ceil(this.queue.capacity / 2));
    this.dropQueueFull = metrics.dropped.labels({ reason: "queue_full" });
    this.dropOverload = metrics.dropped.labels({ reason: "overload" });
  }

  /**
   * Queue a copy for analysis; false when it was dropped (and counted). While the loop is
   * saturated analysis runs at its floor; copies beyond a short backlog are shed at once
   * ("overload") rather than held in the queue to be analysed seconds later.
   */
  readonly submit = (w: Work): boolean => {
    if (this.queue.depth >= this.shedBacklog && this.budget.saturated) {
      this.dropOverload.inc();
      this.logDrop("overload");
      this.discard(w);
      return false;
    }
    if (this.queue.offer(w)) return true;
    this.discard(w);
    this.dropQueueFull.inc();
    this.logDrop("queue_full");
    return false;
  };

  /** A copy that will not be analysed: its span ends, its bytes go back to the budget. */
  private discard(w: Work): void {
    w.trace?.end("dropped");
    if (w.kind === "exchange" && w.heldBytes) this.memory.release(w.heldBytes);
  }

  /** Count (and log, throttled) a copy that is not analysed. */
  readonly drop = (reason: DropReason): void => {
    this.o.metrics.dropped.inc({ reason });
    this.logDrop(reason);
  };

  /** Log a drop already counted (throttled per reason). */
  logDrop(reason: string): void {
    const t = this.o.throttle.take(reason); // the reason itself is the kind: no string built per drop
    if (t)
      this.o.log.warn({ reason, queue_depth: this.queue.depth, suppressed: t.suppressed }, LOG.copiesDropped);
  }

  /** Resolves once everything offered so far is analysed, decompressed copies included. */
  async idle(): Promise<void> {
    do {
      await this.queue.idle();
      await this.analyzer.settled();
    } while (this.queue.depth > 0 || this.analyzer.pendingDecompressions > 0);
  }
}

/** The start of a body for the log (only with logging.log_payloads). */
function sample(body: Buffer | undefined): string | undefined {
  if (!body) return undefined;
  const text = body.subarray(0, 1024).toString("utf8");
  return body.length > 1024 ? `${text}… (${body.length} bytes)` : text;
}
