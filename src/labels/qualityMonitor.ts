// One model's label join and quality: predictions and labels go into the join store; each join is
// counted (correct/incorrect, label delay, score bins) and added to the windows (by time or count)
// by label arrival; the window gauges — with their standard errors, and the ROC AUC when the
// model's scores are binned — are computed when /metrics is scraped. Every counter exists at 0
// from the start.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild, HistogramChild } from "../export/boundMetrics.js";
import { fitsLabel } from "../export/labelValues.js";
import { LABEL_OUTCOMES, type QualityMetrics } from "../export/qualityMetrics.js";
import type { VariantMetrics } from "../export/variantMetrics.js";
import { estimate } from "../stats/cbpe.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import { VariantQuality } from "../variants/variantQuality.js";
import {
  type EntryOrigin,
  JoinStore,
  type LabelJoinOutcome,
  MAX_SOURCES,
  type PredictionOutcome,
} from "./joinStore.js";
import { type ApplyJoin, type JoinWindow, joinWindow } from "./joinWindow.js";
import { LabelValues } from "./labelValues.js";
import {
  addClassification,
  addRegression,
  classificationMetrics,
  countsWidth,
  type QualityKind,
  regressionMetrics,
} from "./qualityCounts.js";
import { addScoreBins, labelledBinCounts, realizedAuc, scoredCounts } from "./qualityScores.js";
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

/** Distinct model_version label values kept per model (as the drift monitor); more share "other". */
const MAX_VERSIONS = 16;
/**
 * Longest request id the join holds: the store keeps every id for the ttl, so an id's length
 * multiplies max_pending (a UUID is 36; OIP ids with a row suffix stay far below this).
 */
export const MAX_ID_LENGTH = 512;

export type LabelResult = LabelJoinOutcome | "invalid";

const NOOP: CounterChild = { inc() {} };

interface Version {
  name: string;
  correct: CounterChild;
  incorrect: CounterChild;
  scores: ScoreCounters | undefined;
}

export class QualityMonitor {
  readonly values: LabelValues;
  readonly store: JoinStore;
  private readonly kind: QualityKind;
  private readonly k: number;
  private readonly windows: { name: string; w: JoinWindow }[];
  /** one join as the windows keep it: [predicted, actual, score bin per class…] */
  private readonly rec: Float64Array;
  private readonly binScratch: Int32Array;
  private readonly versions: Version[] = [];
  private readonly versionIndex = new Map<string, number>();
  private latestVersion: string;
  /** per source index: its outcome counters */
  private readonly outcomes: Record<(typeof LABEL_OUTCOMES)[number], CounterChild>[] = [];
  private readonly sourceNames: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private readonly evictedBy: CounterChild[] = [];
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
    for (const src of sources) this.counts(this.source(src));
    this.delay = metrics.delay.labels(m);
    this.expiredCounter = metrics.expired.labels(m);
    metrics.pending.set(m, 0);
    metrics.waitingLabels.set(m, 0);
    this.latestVersion = model.version;
    this.version(model.version);
    this.store = new JoinStore(
      model.labels.ttlMs,
      model.labels.maxPending,
      {
        joined: (p, l, v, delayMs, src, x) => this.joined(p, l, v, delayMs, src, x),
        expired: (n) => this.expiredCounter.inc(n),
        unmatched: (n, src) => this.counts(src).unmatched.inc(n),
        unjoined: (p, l, v, t, x) => this.unjoined(p, l, v, t, x),
        evicted: (n, src) => this.evictedBy[src]?.inc(n),
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
    let i = this.sourceIndex.get(name);
    if (i !== undefined) return i;
    const label = this.sourceNames.length < MAX_SOURCES - 1 ? name : "other";
    i = this.sourceNames.indexOf(label);
    if (i < 0) {
      i = this.sourceNames.length;
      this.sourceNames.push(label);
      this.evictedBy.push(this.metrics.evicted.labels({ model: this.model.name, source: label }));
    }
    if (this.sourceIndex.size < 1000) this.sourceIndex.set(name, i);
    return i;
  }

  /** A source's label counters (created when it first sends a label: prediction-only sources have none). */
  private counts(source: number): Record<(typeof LABEL_OUTCOMES)[number], CounterChild> {
    let c = this.outcomes[source];
    if (!c) {
      const l = { model: this.model.name, source: this.sourceNames[source] ?? "other" };
      c = Object.fromEntries(
        LABEL_OUTCOMES.map((o) => [o, this.metrics.labels.labels({ ...l, outcome: o })]),
      ) as Record<(typeof LABEL_OUTCOMES)[number], CounterChild>;
      this.outcomes[source] = c;
    }
    return c;
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
    const v = this.version(version);
    // the bounded label (a version past the cap is "other"), never the raw value from traffic
    this.latestVersion = (this.versions[v] as Version).name;
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
    const counts = this.counts(origin.source);
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
      const version = this.versions[Math.floor(e.version / this.variantSlots)]?.name ?? this.model.version;
      yield {
        id: e.id,
        kind: e.kind,
        value: e.value,
        version,
        variant: e.version % this.variantSlots,
        time: e.time,
        arrived: e.arrived,
        source: this.sourceNames[e.source] ?? "other",
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
      this.version(e.version) * this.variantSlots + slot,
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
    this.counts(this.source(source)).invalid.inc();
  }

  /** Expire old entries and recompute the gauges as of `now` (before each scrape). */
  refresh(now: number): void {
    this.store.expire(now);
    this.variants?.refresh(now);
    const m = this.metrics;
    const model = this.model.name;
    m.pending.set({ model }, this.store.pendingPredictions);
    m.waitingLabels.set({ model }, this.store.waitingLabels);
    for (const v of this.versions) v.scores?.refresh();
    const labels = { model, model_version: this.latestVersion };
    const se = m.stderr;
    for (const { name, w } of this.windows) {
      const c = w.totals(now);
      const n = c[0] as number;
      const l = { ...labels, window: name };
      m.labeledInWindow.set(l, n);
      if (n === 0 || n < this.model.minSamples) continue;
      if (this.kind.task === "regression") {
        const r = regressionMetrics(c);
        m.mae.set(l, r.mae);
        m.rmse.set(l, r.rmse);
        se.mae.set(l, r.maeStderr);
        se.rmse.set(l, r.rmseStderr);
        continue;
      }
      const q = classificationMetrics(c, this.k);
      m.accuracy.set(l, q.accuracy);
      se.accuracy.set(l, q.stderr.accuracy);
      if (this.scores) this.setAuc(c, l);
      if (this.scores?.calibrated) this.setEstimationError(c, l);
      if (!q.macro) continue;
      setScores(m, l, q.macro, q.stderr.macro);
      q.perClass.forEach((s, i) => {
        if (s) setScores(m, { ...l, class: this.values.classes[i] as string }, s, q.stderr.perClass[i]);
      });
    }
  }

  /**
   * The estimate's check once labels arrived: CBPE on the window's labelled predictions (from
   * their scores alone) minus their realized quality, per metric.
   */
  private setEstimationError(
    c: Float64Array,
    l: { model: string; model_version: string; window: string },
  ): void {
    const s = this.scores as ScoreBins;
    const { predicted, notPredicted } = labelledBinCounts(c, this.k, s);
    const e = estimate(s, this.k, predicted, notPredicted);
    if (!e || e.n < this.model.minSamples) return;
    const r = classificationMetrics(scoredCounts(c, this.k, s), this.k);
    const auc = realizedAuc(c, this.k, s);
    const err = this.metrics.estimationError;
    const set = (metric: string, est: number | undefined, real: number | undefined) => {
      if (est !== undefined && real !== undefined && Number.isFinite(est) && Number.isFinite(real))
        err.set({ ...l, metric }, est - real);
    };
    set("accuracy", e.accuracy, r.accuracy);
    set("precision", e.macro?.precision, r.macro?.precision);
    set("recall", e.macro?.recall, r.macro?.recall);
    set("f1", e.macro?.f1, r.macro?.f1);
    set("roc_auc", e.auc, auc?.auc);
  }

  /** Realized ROC AUC: binary without a class label; multiclass per class and macro. */
  private setAuc(c: Float64Array, l: { model: string; model_version: string; window: string }): void {
    const a = realizedAuc(c, this.k, this.scores as ScoreBins);
    if (!a) return;
    const m = this.metrics;
    m.rocAuc.set(l, a.auc);
    m.stderr.rocAuc.set(l, a.stderr);
    if (this.values.classes.length === 2 && this.model.task === "binary_classification") return;
    a.perClass.forEach((x, i) => {
      if (!x) return;
      const lc = { ...l, class: this.values.classes[i] as string };
      m.rocAuc.set(lc, x.auc);
      m.stderr.rocAuc.set(lc, x.stderr);
    });
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
    this.counts(source).matched.inc();
    this.delay.observe(delayMs / 1000);
    const version = Math.floor(stored / this.variantSlots);
    this.variants?.joined(stored % this.variantSlots, prediction, label, now);
    const v = this.versions[version] as Version;
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

  private version(name: string): number {
    let i = this.versionIndex.get(name);
    if (i !== undefined) return i;
    // an over-long version from traffic is "other" too (src/export/labelValues.ts)
    const label = this.versions.length < MAX_VERSIONS && fitsLabel(name) ? name : "other";
    i = this.versions.findIndex((v) => v.name === label);
    if (i < 0 && this.values.regression && !this.model.labels.tolerance) {
      i = this.versions.length;
      this.versions.push({ name: label, correct: NOOP, incorrect: NOOP, scores: undefined });
    } else if (i < 0) {
      const base = { model: this.model.name, model_version: label };
      i = this.versions.length;
      this.versions.push({
        name: label,
        correct: this.metrics.labeled.labels({ ...base, result: "correct" }),
        incorrect: this.metrics.labeled.labels({ ...base, result: "incorrect" }),
        scores:
          label === this.model.version && this.scores
            ? new ScoreCounters(this.scores, this.metrics, this.model.name, label)
            : undefined,
      });
    }
    // bounded too: names from traffic past the cap all map to "other" without being kept
    if (this.versionIndex.size < 1000) this.versionIndex.set(name, i);
    return i;
  }
}

function setScores(
  m: QualityMetrics,
  l: Record<string, string>,
  s: { precision: number; recall: number; f1: number },
  se: { precision: number; recall: number; f1: number } | undefined,
): void {
  m.precision.set(l, s.precision);
  m.recall.set(l, s.recall);
  m.f1.set(l, s.f1);
  if (!se) return;
  m.stderr.precision.set(l, se.precision);
  m.stderr.recall.set(l, se.recall);
  m.stderr.f1.set(l, se.f1);
}
