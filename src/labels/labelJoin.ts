// The agent's label-join part: every model's QualityMonitor, the entry points label sources call,
// a sweeper that expires old entries, and at shutdown a log line saying what was lost.
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import type { ModelConfig } from "../config/model.js";
import type { CounterChild } from "../export/boundMetrics.js";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import type { VariantMetrics } from "../export/variantMetrics.js";
import { type PredictionReader, predictionReader } from "../monitor/predictionReading.js";
import { ScoreBins } from "../stats/scoreBins.js";
import type { PredictionOutcome } from "./joinTypes.js";
import { type LabelEvent, toLabelEvent } from "./labelEvent.js";
import { type Origin, QualityMonitor } from "./qualityMonitor.js";

/** What happened to one label. */
export type LabelOutcome = "matched" | "waiting" | "duplicate" | "conflict" | "invalid" | "unknown_model";

export interface LabelCounts {
  matched: number;
  waiting: number;
  duplicate: number;
  conflict: number;
  invalid: number;
  unknown_model: number;
}

export const emptyCounts = (): LabelCounts => ({
  matched: 0,
  waiting: 0,
  duplicate: 0,
  conflict: 0,
  invalid: 0,
  unknown_model: 0,
});

/** Sources of labels naming no configured model, kept apart at most; more share `other`. */
const MAX_UNKNOWN_SOURCES = 32;

export class LabelJoin {
  private readonly monitors = new Map<string, QualityMonitor>();
  private readonly readers = new Map<string, PredictionReader>();
  /** per source: labels naming an unconfigured model, and labels naming none or not JSON */
  private readonly unknown = new Map<string, { unknownModel: CounterChild; unreadable: CounterChild }>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    models: readonly ModelConfig[],
    private readonly metrics: QualityMetrics,
    private readonly now: () => number,
    private readonly log?: Logger,
    variantMetrics?: VariantMetrics,
    /** label sources known at start (`http`, `kafka`, the web config's senders): counters at 0 */
    sources: readonly string[] = ["http"],
    /** each model's score bins (from its profile, else uniform) */
    scores: readonly (ScoreBins | undefined)[] = models.map((m) => ScoreBins.forModel(m)),
  ) {
    models.forEach((m, i) => {
      this.monitors.set(m.name, new QualityMonitor(m, metrics, variantMetrics, scores[i], sources));
    });
    for (const s of sources) this.unknownCounters(s);
  }

  private unknownCounters(source: string): { unknownModel: CounterChild; unreadable: CounterChild } {
    let c = this.unknown.get(source);
    if (c) return c;
    if (this.unknown.size >= MAX_UNKNOWN_SOURCES) return this.unknownCounters("other");
    const l = { model: "unknown", source };
    c = {
      unknownModel: this.metrics.labels.labels({ ...l, outcome: "unknown_model" }),
      unreadable: this.metrics.labels.labels({ ...l, outcome: "invalid" }),
    };
    this.unknown.set(source, c);
    return c;
  }

  /** The model's quality monitor (the drift monitor feeds it every prediction it reads). */
  monitor(model: string): QualityMonitor | undefined {
    return this.monitors.get(model);
  }

  /**
   * One label from any source. Unknown models and labels of the wrong type or class are counted
   * (`infermon_labels_total{outcome}`) and skipped; nothing throws.
   */
  applyLabel(l: LabelEvent, source: Origin = "http"): LabelOutcome {
    const q = this.monitors.get(l.model);
    if (!q) {
      if (typeof source !== "string" && source.restored) return "unknown_model";
      return this.unknownModelLabel(typeof source === "string" ? source : source.name);
    }
    const now = this.now();
    return q.label(l.id, l.label, l.time ?? now, now, source);
  }

  /** A label as a parsed JSON object (`{model, id, label|value, time?}`); Kafka and HTTP read it so. */
  applyLabelJson(x: unknown, source: Origin = "http"): LabelOutcome {
    const r = toLabelEvent(x);
    if (r.ok) return this.applyLabel(r.label, source);
    if (typeof source !== "string" && source.restored) return "invalid";
    const name = typeof source === "string" ? source : source.name;
    const q = this.monitors.get(r.model);
    if (q) q.invalid(name);
    else this.unknownCounters(name).unreadable.inc();
    return "invalid";
  }

  /** A label for a model that is not configured, counted before its body is read. */
  unknownModelLabel(source = "http"): LabelOutcome {
    this.unknownCounters(source).unknownModel.inc();
    return "unknown_model";
  }

  /** A label that could not be read at all (malformed JSON): counted under model "unknown". */
  unreadableLabel(source = "http"): LabelOutcome {
    this.unknownCounters(source).unreadable.inc();
    return "invalid";
  }

  /**
   * A prediction straight into the join, bypassing drift (the analysis queue's monitor calls
   * QualityMonitor.prediction itself). For sources that must know the outcome at once.
   */
  recordPrediction(
    e: InferenceEvent,
    origin: Origin = "kafka",
  ): PredictionOutcome | "unknown_model" | "no_prediction" {
    const q = this.monitors.get(e.model);
    if (!q) return "unknown_model";
    let read = this.readers.get(e.model);
    if (!read) {
      read = predictionReader(q.model);
      this.readers.set(e.model, read);
    }
    const p = e.prediction === undefined ? {} : read(e.prediction);
    const now = this.now();
    return (
      q.prediction(
        e.id,
        e.version,
        p.cls,
        p.score,
        e.time,
        now,
        origin,
        q.variantIndex(e.variant),
        e.requestId,
        q.binsFor(p.score, p.probs),
      ) ?? "no_prediction"
    );
  }

  /** Every model's monitor (a state file walks them). */
  entries(): IterableIterator<[string, QualityMonitor]> {
    return this.monitors.entries();
  }

  /** Predictions and labels waiting, per model. */
  waitingCounts(): Record<string, { predictions: number; labels: number }> {
    const out: Record<string, { predictions: number; labels: number }> = {};
    for (const [m, q] of this.monitors)
      out[m] = { predictions: q.store.pendingPredictions, labels: q.store.waitingLabels };
    return out;
  }

  /** Waiting entries per Kafka partition slot, over every model (a checkpoint). */
  waitingByPartition(): Map<number, { count: number; oldest: number }> {
    const out = new Map<number, { count: number; oldest: number }>();
    for (const q of this.monitors.values()) q.store.waitingByPartition(out);
    return out;
  }

  /** A partition moved to another member: forget its waiting entries (the new owner rebuilds them). */
  handOver(slot: number): number {
    let n = 0;
    for (const q of this.monitors.values()) n += q.store.handOver(slot);
    return n;
  }

  /** Restored entries whose ttl ran out before `t` (the restart's checkpoint) were counted then. */
  setRestoreHorizon(t: number): void {
    for (const q of this.monitors.values()) q.store.setRestoreHorizon(t);
  }

  /** Expire entries past their ttl and recompute the gauges (before each scrape). */
  refresh(now = this.now()): void {
    for (const q of this.monitors.values()) q.refresh(now);
  }

  /** Expire old entries every second (the store also expires on every insert). */
  start(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = this.now();
      for (const q of this.monitors.values()) q.store.expire(now);
    }, 1000).unref();
  }

  /**
   * Stop the sweeper. The join lives in memory only: what waits is lost with the process, and the
   * log says how much (docs/adr/0010-label-join.md).
   */
  stop(saved = false): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [model, q] of this.monitors) {
      if (saved) {
        q.store.clear();
        continue;
      }
      const lost = q.store.clear();
      if (lost.predictions > 0 || lost.labels > 0)
        this.log?.warn(
          { model, pending_predictions: lost.predictions, waiting_labels: lost.labels },
          LOG.joinStateLost,
        );
    }
  }
}
