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
import type { PredictionOutcome } from "./joinStore.js";
import { type LabelEvent, toLabelEvent } from "./labelEvent.js";
import { QualityMonitor } from "./qualityMonitor.js";

/** What happened to one label. */
export type LabelOutcome = "matched" | "waiting" | "duplicate" | "invalid" | "unknown_model";

export interface LabelCounts {
  matched: number;
  waiting: number;
  duplicate: number;
  invalid: number;
  unknown_model: number;
}

export const emptyCounts = (): LabelCounts => ({
  matched: 0,
  waiting: 0,
  duplicate: 0,
  invalid: 0,
  unknown_model: 0,
});

export class LabelJoin {
  private readonly monitors = new Map<string, QualityMonitor>();
  private readonly readers = new Map<string, PredictionReader>();
  private readonly unknownModel: CounterChild;
  /** labels that name no model at all, or are not JSON */
  private readonly unreadable: CounterChild;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    models: readonly ModelConfig[],
    metrics: QualityMetrics,
    private readonly now: () => number,
    private readonly log?: Logger,
    variantMetrics?: VariantMetrics,
    /** each model's score bins (from its profile, else uniform) */
    scores: readonly (ScoreBins | undefined)[] = models.map((m) => ScoreBins.forModel(m)),
  ) {
    models.forEach((m, i) => {
      this.monitors.set(m.name, new QualityMonitor(m, metrics, variantMetrics, scores[i]));
    });
    this.unknownModel = metrics.labels.labels({ model: "unknown", outcome: "unknown_model" });
    this.unreadable = metrics.labels.labels({ model: "unknown", outcome: "invalid" });
  }

  /** The model's quality monitor (the drift monitor feeds it every prediction it reads). */
  monitor(model: string): QualityMonitor | undefined {
    return this.monitors.get(model);
  }

  /**
   * One label from any source. Unknown models and labels of the wrong type or class are counted
   * (`infermon_labels_total{outcome}`) and skipped; nothing throws.
   */
  applyLabel(l: LabelEvent): LabelOutcome {
    const q = this.monitors.get(l.model);
    if (!q) {
      this.unknownModel.inc();
      return "unknown_model";
    }
    const now = this.now();
    return q.label(l.id, l.label, l.time ?? now, now);
  }

  /** A label as a parsed JSON object (`{model, id, label|value, time?}`); Kafka and HTTP read it so. */
  applyLabelJson(x: unknown): LabelOutcome {
    const r = toLabelEvent(x);
    if (r.ok) return this.applyLabel(r.label);
    const q = this.monitors.get(r.model);
    if (q) q.invalid();
    else this.unreadable.inc();
    return "invalid";
  }

  /** A label for a model that is not configured, counted before its body is read. */
  unknownModelLabel(): LabelOutcome {
    this.unknownModel.inc();
    return "unknown_model";
  }

  /** A label that could not be read at all (malformed JSON): counted under model "unknown". */
  unreadableLabel(): LabelOutcome {
    this.unreadable.inc();
    return "invalid";
  }

  /**
   * A prediction straight into the join, bypassing drift (the analysis queue's monitor calls
   * QualityMonitor.prediction itself). For sources that must know the outcome at once.
   */
  recordPrediction(e: InferenceEvent): PredictionOutcome | "unknown_model" | "no_prediction" {
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
        q.variantIndex(e.variant),
        e.requestId,
        q.binsFor(p.score, p.probs),
      ) ?? "no_prediction"
    );
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
  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [model, q] of this.monitors) {
      const lost = q.store.clear();
      if (lost.predictions > 0 || lost.labels > 0)
        this.log?.warn(
          { model, pending_predictions: lost.predictions, waiting_labels: lost.labels },
          LOG.joinStateLost,
        );
    }
  }
}
