// One model's label join and quality: predictions and labels go into the join store; each join is
// counted (correct/incorrect, label delay, score bins) and added to the windows (by time or count)
// by label arrival; the window gauges — with their standard errors, and the ROC AUC when the
// model's scores are binned — are computed when /metrics is scraped. Every counter exists at 0
// from the start.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild, HistogramChild } from "../export/boundMetrics.js";
import type { QualityMetrics } from "../export/qualityMetrics.js";
import type { VariantMetrics } from "../export/variantMetrics.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import { VariantQuality } from "../variants/variantQuality.js";
import { JoinSources } from "./joinSources.js";
import { JoinStore } from "./joinStore.js";
import type { EntryOrigin, LabelJoinOutcome, PredictionOutcome } from "./joinTypes.js";
import { type ApplyJoin, type JoinWindow, joinWindow } from "./joinWindow.js";
import { LabelValues } from "./labelValues.js";
import { ModelVersions, type Version } from "./modelVersions.js";
import { addClassification, addRegression, countsWidth, type QualityKind } from "./qualityCounts.js";
import { type GaugeModel, setWindowGauges } from "./qualityGauges.js";
import { addScoreBins } from "./qualityScores.js";
import { ScoreCounters } from "./scoreCounters.js";
import { withinTolerance } from "./tolerance.js";

/** A waiting join entry as a state file keeps it. */
export interface SavedEntry {
  id: string;
  kind: "prediction" | "label";
  /** class index or value */
  value: number;
  version: string;
  variant: number;
  time: number;
  arrived: number;
  source: string;
}

/** Who put an entry in the join: a source name, or (Kafka) a name with the record's partition slot,
 * its timestamp and whether it is being replayed after a restart. */
export type Origin = string | ({ name: string } & Omit<EntryOrigin, "source">);

/**
 * Longest request id the join holds: the store keeps every id for the ttl, so an id's length
 * multiplies max_pending (a UUID is 36; OIP ids with a row suffix stay far below this).
 */
export const MAX_ID_LENGTH = 512;

export type LabelResult = LabelJoinOutcome | "invalid";

export class QualityMonitor {
  readonly values: LabelValues;
  readonly store: JoinStore;
  private readonly kind: QualityKind;
  private readonly k: number;
  private readonly windows: { name: string; w: JoinWindow }[];
  /** one join as the windows keep it: [predicted, actual, score bin per class…] */
  private readonly rec: Float64Array;
  private readonly binScratch: Int32Array;
  private readonly versions: ModelVersions;
  private latestVersion: string;
  private readonly sources: JoinSources;
  /** what the window gauges are computed for */
  private readonly gauges: GaugeModel;
  private readonly delay: HistogramChild;
  private readonly expiredCounter: CounterChild;
  /** the time of the join being counted (set just before the store calls back) */
  private joinTime = 0;
  /** per A/B variant losses (models[].variants); the store keeps version × variants + variant */
  private readonly variants: VariantQuality | undefined;
  private readonly variantSlots: number;

  constructor(
    readonly model: ModelConfig,
    private readonly metrics: QualityMetrics,
    variantMetrics?: VariantMetrics,
    /** the model's score bins (classification with scores): ROC AUC, fleet score counters */
    readonly scores?: ScoreBins,
    /** sources known at start: their label counters exist at 0 */
    sources: readonly string[] = [],
  ) {
    this.variants = model.variants && variantMetrics ? new VariantQuality(model, variantMetrics) : undefined;
    this.variantSlots = this.variants?.size ?? 1;
    this.values = new LabelValues(model);
    this.k = this.values.classes.length;
    // score bins need the configured classes they are for
    if (this.values.regression || this.k === 0) this.scores = undefined;
    this.kind = this.values.regression
      ? { task: "regression" }
      : { task: "classification", classes: this.k, scoreBins: this.scores?.bins ?? 0 };
    const width = countsWidth(this.kind);
    const extra = this.scores?.entries.length ?? 0;
    this.rec = new Float64Array(2 + extra);
    this.binScratch = new Int32Array(extra);
    const k = this.k;
    const sc = this.scores;
    const apply: ApplyJoin =
      this.kind.task === "regression"
        ? (c, r, at, w = 1) => addRegression(c, r[at] as number, r[at + 1] as number, w)
        : (c, r, at, w = 1) => {
            const p = r[at] as number;
            const a = r[at + 1] as number;
            addClassification(c, k, p, a, w);
            if (sc) addScoreBins(c, k, sc, r, at + 2, p, a, w);
          };
    this.windows = model.windows.map((w) => ({ name: w.name, w: joinWindow(w, width, 2 + extra, apply) }));
    const m = { model: model.name };
    this.sources = new JoinSources(metrics, model.name);
    for (const src of sources) this.sources.counts(this.source(src));
    this.delay = metrics.delay.labels(m);
    this.expiredCounter = metrics.expired.labels(m);
    metrics.pending.set(m, 0);
    metrics.waitingLabels.set(m, 0);
    this.latestVersion = model.version;
    this.versions = new ModelVersions(
      model,
      metrics,
      this.scores,
      !(this.values.regression && !model.labels.tolerance),
    );
    this.versions.index(model.version);
    this.gauges = { model, metrics, kind: this.kind, values: this.values, k: this.k, scores: this.scores };
    this.store = new JoinStore(
      model.labels.ttlMs,
      model.labels.maxPending,
      {
        joined: (p, l, v, delayMs, src, x) => this.joined(p, l, v, delayMs, src, x),
        expired: (n) => this.expiredCounter.inc(n),
        unmatched: (n, src) => this.sources.counts(src).unmatched.inc(n),
        unjoined: (p, l, v, t, x) => this.unjoined(p, l, v, t, x),
        evicted: (n, src) => this.sources.evicted(src, n),
      },
      {
        maxPerSource: model.labels.maxPendingPerSource,
        policy: model.labels.onConflict,
        extraWidth: extra,
      },
    );
  }

  /**
   * The index of a source (a sender's name, `tap`, `kafka`, …) in the join, its counters created on
   * first use; past MAX_SOURCES − 1 distinct sources, the rest share `other`.
   */
  source(name: string): number {
    return this.sources.index(name);
  }

  /**
   * A prediction as the drift monitor read it (class and/or score, and each scored class's bin in
   * `scoreBins`: ScoreBins.fill); `undefined` when the model's task cannot use it (no class, no
   * value), else how the store took it. `variant`: the index of its A/B variant (VariantNames),
   * when the model has variants.
   */
  prediction(
    id: string,
    version: string,
    cls: string | undefined,
    score: number | undefined,
    time: number,
    now: number,
    origin: Origin = "tap",
    variant = 0,
    /** another id the client saw for this prediction (the tap's x-request-id beside a body id) */
    alias?: string,
    scoreBins?: ArrayLike<number>,
  ): PredictionOutcome | undefined {
    const value = this.values.prediction(cls, score);
    if (value === undefined || id.length > MAX_ID_LENGTH) return undefined;
    // a time that is not a number (a bad source) is the arrival time, never NaN in the delay
    if (!Number.isFinite(time)) time = now;
    const v = this.versions.index(version);
    // the bounded label (a version past the cap is "other"), never the raw value from traffic
    this.latestVersion = (this.versions.all[v] as Version).name;
    this.joinTime = now;
    const slot = variant >= 0 && variant < this.variantSlots ? variant : 0;
    const a = alias !== undefined && alias.length <= MAX_ID_LENGTH ? alias : undefined;
    return this.store.addPrediction(
      id,
      value,
      v * this.variantSlots + slot,
      time,
      now,
      this.origin(origin),
      a,
      scoreBins,
    );
  }

  private origin(o: Origin): EntryOrigin {
    if (typeof o === "string") return { source: this.source(o) };
    const { name, ...rest } = o;
    return { ...rest, source: this.source(name) };
  }

  /**
   * A label for prediction `id` (its raw value checked against the task; an over-long id is
   * invalid), counted by outcome.
   */
  label(id: string, raw: unknown, time: number, now: number, from: Origin = "http"): LabelResult {
    const origin = this.origin(from);
    const counts = this.sources.counts(origin.source);
    const value = id.length > MAX_ID_LENGTH ? undefined : this.values.label(raw);
    if (!Number.isFinite(time)) time = now;
    // a replayed label (a restart rebuilding the join) was counted when it first came
    const count = !origin.restored;
    if (value === undefined) {
      if (count) counts.invalid.inc();
      return "invalid";
    }
    this.joinTime = now;
    const r = this.store.addLabel(id, value, time, now, origin);
    if (r === "duplicate" && count) counts.duplicate.inc();
    else if (r === "conflict" && count) counts.conflict.inc();
    return r;
  }

  /**
   * Each scored class's bin of one prediction (ScoreBins.fill), in a buffer reused by the next
   * call; undefined when the model has no score bins or the prediction no score.
   */
  binsFor(score: number | undefined, probs: readonly unknown[] | undefined): Int32Array | undefined {
    const s = this.scores;
    if (!s) return undefined;
    return s.fill(score, probs, this.binScratch) ? this.binScratch : undefined;
  }

  /** Every waiting entry, with its version's name, variant slot and source's name (a state file). */
  *exportWaiting(): Generator<SavedEntry> {
    for (const e of this.store.waiting()) {
      const version =
        this.versions.all[Math.floor(e.version / this.variantSlots)]?.name ?? this.model.version;
      yield {
        id: e.id,
        kind: e.kind,
        value: e.value,
        version,
        variant: e.version % this.variantSlots,
        time: e.time,
        arrived: e.arrived,
        source: this.sources.name(e.source),
      };
    }
  }

  /** A waiting entry saved by a previous run, put back as it was (arrival time kept). */
  importEntry(e: SavedEntry, now: number): void {
    if (e.id.length > MAX_ID_LENGTH || !Number.isFinite(e.value)) return;
    const origin: EntryOrigin = { source: this.source(e.source), arrived: Math.min(e.arrived, now) };
    if (e.kind === "label") {
      this.store.addLabel(e.id, e.value, e.time, now, origin);
      return;
    }
    const slot = e.variant >= 0 && e.variant < this.variantSlots ? e.variant : 0;
    this.store.addPrediction(
      e.id,
      e.value,
      this.versions.index(e.version) * this.variantSlots + slot,
      e.time,
      now,
      origin,
    );
  }

  /** The index of an event's A/B variant name (0 without variants). */
  variantIndex(name: string | undefined): number {
    return this.variants ? this.variants.names.indexOf(name) : 0;
  }

  /** Count an invalid label (e.g. no id) for this model, from `source`. */
  invalid(source = "http"): void {
    this.sources.counts(this.source(source)).invalid.inc();
  }

  /** Expire old entries and recompute the gauges as of `now` (before each scrape). */
  refresh(now: number): void {
    this.store.expire(now);
    this.variants?.refresh(now);
    const m = this.metrics;
    const model = this.model.name;
    m.pending.set({ model }, this.store.pendingPredictions);
    m.waitingLabels.set({ model }, this.store.waitingLabels);
    for (const v of this.versions.all) v.scores?.refresh();
    const labels = { model, model_version: this.latestVersion };
    for (const { name, w } of this.windows) {
      const c = w.totals(now);
      const n = c[0] as number;
      const l = { ...labels, window: name };
      m.labeledInWindow.set(l, n);
      if (n === 0 || n < this.model.minSamples) continue;
      setWindowGauges(this.gauges, c, l);
    }
  }

  private joined(
    prediction: number,
    label: number,
    stored: number,
    delayMs: number,
    source: number,
    extra: ArrayLike<number>,
  ): void {
    const now = this.joinTime;
    // a match is the label's: attributed to the label's sender
    this.sources.counts(source).matched.inc();
    this.delay.observe(delayMs / 1000);
    const version = Math.floor(stored / this.variantSlots);
    this.variants?.joined(stored % this.variantSlots, prediction, label, now);
    const v = this.versions.all[version] as Version;
    const rec = this.rec;
    rec[0] = prediction;
    rec[1] = label;
    for (let i = 2; i < rec.length; i++) rec[i] = extra[i - 2] as number;
    if (this.kind.task === "regression") {
      // right or wrong only within labels.tolerance; without one, v's counters are no-ops
      const tol = this.model.labels.tolerance;
      if (tol) (withinTolerance(prediction, label, tol) ? v.correct : v.incorrect).inc();
    } else {
      (prediction === label ? v.correct : v.incorrect).inc();
      if (this.scores && rec.some((x, i) => i >= 2 && x >= 0)) {
        // a version's score counters are made by its first labelled prediction (the configured
        // version's exist from the start): random versions from traffic never multiply them
        v.scores ??= new ScoreCounters(this.scores, this.metrics, this.model.name, v.name);
        v.scores.add(rec, 2, label);
      }
    }
    for (const { w } of this.windows) w.add(now, rec);
  }

  /** A join counted at `joinTime` is taken back from the windows still holding it (a conflict). */
  private unjoined(
    prediction: number,
    label: number,
    _version: number,
    joinTime: number,
    extra: ArrayLike<number>,
  ): void {
    const rec = this.rec;
    rec[0] = prediction;
    rec[1] = label;
    for (let i = 2; i < rec.length; i++) rec[i] = extra[i - 2] as number;
    for (const { w } of this.windows) w.retract(joinTime, rec);
  }
}
