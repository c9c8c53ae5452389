// One model's live statistics: its events binned into sliding windows (drift per feature and for
// the prediction, computed when /metrics is scraped), mergeable bin counters, prediction histograms
// and class counts, data-quality counters. Everything is laid out once at construction.
import type { InferenceEvent, PredictionErrorReason, PredictionKind } from "../adapters/inferenceEvent.js";
import type { ModelConfig } from "../config/model.js";
import { setEstimate } from "../export/estimateGauges.js";
import { CappedLabel, fitsLabel, OTHER } from "../export/labelValues.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { QualityMonitor } from "../labels/qualityMonitor.js";
import { type BinLayout, INVALID_BIN, MISSING_BIN, type Slot } from "../stats/binLayout.js";
import { type BinWindow, binWindow } from "../stats/binWindow.js";
import { estimate } from "../stats/cbpe.js";
import { driftValues } from "../stats/drift.js";
import { driftStderr } from "../stats/driftStderr.js";
import { sampleSizeLevels } from "../stats/sampleSizeLevels.js";
import type { ScoreBins } from "../stats/scoreBins.js";
import { INVALID_VALUE, MISSING_VALUE, readNumber } from "../stats/values.js";
import { VariantMonitor } from "../variants/variantMonitor.js";
import { type PredictionReader, type PredictionReading, predictionReader } from "./predictionReading.js";

interface Inc {
  inc(n?: number): void;
}
interface Obs {
  observe(v: number): void;
}

/** Label-bound counters of one model version, so counting is a method call, not a label lookup. */
interface VersionChildren {
  label: string;
  bins: Inc[];
  missing: Inc[];
  invalid: Inc[];
  unseen: Inc[];
  score: Obs;
  value: Obs;
  classes: Map<string, Inc>;
  /** per feature: the failed-request counters by quality (FAILED_QUALITIES order), bound on first use */
  failed: Inc[][] | undefined;
}

/** `quality` values of infermon_failed_request_feature_values_total. */
export const FAILED_QUALITIES = ["ok", "missing", "invalid", "unseen", "out_of_range"] as const;
const Q_OK = 0;
const Q_MISSING = 1;
const Q_INVALID = 2;
const Q_UNSEEN = 3;
const Q_OUT_OF_RANGE = 4;

/** Called when a prediction is not read as configured (counted already), for the log. */
export type PredictionIssueListener = (reason: PredictionErrorReason, detail: string, id: string) => void;

const NO_PREDICTION: PredictionReading = Object.freeze({});
const NO_OBS: Obs = Object.freeze({ observe() {} });

/** Distinct model_version label values kept per model; more share the label "other". */
const MAX_VERSIONS = 16;
/** Distinct class labels kept per model when `prediction.classes` is not configured. */
const MAX_CLASSES = 100;

export class ModelMonitor {
  private readonly windows: { name: string; w: BinWindow }[];
  private readonly scratch: Int32Array;
  private readonly readPrediction: PredictionReader;
  private readonly versions = new Map<string, VersionChildren>();
  private otherVersion: VersionChildren | undefined;
  private latestVersion: string;
  private readonly regression: boolean;
  /** class label from a predicted class: the configured classes, else the first MAX_CLASSES seen */
  private readonly classLabel: (cls: string) => string;
  /**
   * CBPE (calibrated score bins from the profile): each prediction also counts, per scored class,
   * in [predicted as the class, not] of its score bin, after the layout's bins in the windows
   */
  private readonly cbpe: ScoreBins | undefined;
  private readonly classIndex = new Map<string, number>();
  /** what the reference's prediction is (classification): scores (numeric slot) or labels */
  private readonly expectedKind: PredictionKind | undefined;
  private readonly kindErrors: { labels: Inc; scores: Inc };
  private readonly multiclass: boolean;
  /** per A/B variant statistics (models[].variants) */
  private readonly variants: VariantMonitor | undefined;

  constructor(
    readonly model: ModelConfig,
    private readonly layout: BinLayout | undefined,
    private readonly metrics: AgentMetrics,
    /** the model's label join: every prediction read here is recorded in it */
    private readonly quality?: QualityMonitor,
    private readonly onPredictionIssue: PredictionIssueListener = () => {},
  ) {
    const scores = quality?.scores;
    this.cbpe = layout && scores?.calibrated ? scores : undefined;
    (model.prediction.classes ?? (model.task === "binary_classification" ? ["0", "1"] : [])).forEach(
      (c, i) => {
        this.classIndex.set(c, i);
      },
    );
    const width = (layout?.width ?? 0) + 2 * (this.cbpe?.bins ?? 0);
    // an event sets one bin per slot (features, prediction) and per scored class at most
    const stride = (layout?.slots.length ?? 0) + (this.cbpe?.entries.length ?? 0);
    this.windows = model.windows.map((w) => ({ name: w.name, w: binWindow(w, width, stride) }));
    this.scratch = new Int32Array(stride);
    this.readPrediction = predictionReader(model);
    this.latestVersion = model.version;
    this.regression = model.task === "regression";
    const classes = model.prediction.classes;
    if (classes) {
      const known = new Set(classes);
      this.classLabel = (c) => (known.has(c) ? c : OTHER);
    } else {
      const cap = new CappedLabel(MAX_CLASSES);
      this.classLabel = (c) => cap.of(c);
    }
    if (layout) {
      for (let s = 0; s < layout.featureCount; s++) {
        const slot = layout.slots[s] as Slot;
        const total = slot.referenceTotal;
        // no reference values: the distribution is undefined, so no reference series either (the
        // fleet-drift rules join on them and would otherwise compare with a uniform guess)
        if (total === 0) continue;
        metrics.referenceObservations.set(
          { model: model.name, model_version: model.version, feature: slot.name },
          total,
        );
        slot.labels.forEach((bin, i) => {
          metrics.referenceRatio.set(
            { model: model.name, model_version: model.version, feature: slot.name, bin },
            (slot.reference[i] as number) / total,
          );
        });
      }
    }
    const ps = layout && layout.predictionSlot >= 0 ? layout.slots[layout.predictionSlot] : undefined;
    // binary: the reference's prediction is scores (numeric) or labels; multiclass: always classes
    // (a probability vector is read as its most likely class)
    this.expectedKind =
      this.regression || !ps
        ? undefined
        : model.task === "multiclass_classification" || ps.bins.type === "categorical"
          ? "label"
          : "score";
    this.multiclass = model.task === "multiclass_classification";
    const pe = (reason: PredictionErrorReason) =>
      metrics.predictionReadErrors.labels({ model: model.name, reason });
    this.kindErrors = { labels: pe("labels_not_scores"), scores: pe("scores_not_labels") };
    // the configured version's counters exist at 0 from the start (rate() sees the first event)
    this.children(model.version);
    if (model.variants) this.variants = new VariantMonitor(model, layout, metrics.variants);
  }

  /** One event; `source` (the tap, a sender's name, Kafka) is whose entry it is in the label join. */
  observe(e: InferenceEvent, now: number, source = "tap"): void {
    const v = this.children(e.version);
    this.latestVersion = v.label;
    const p = e.prediction === undefined ? NO_PREDICTION : this.readPrediction(e.prediction);
    // a prediction of the other kind than the reference's is never binned as if it were this kind
    let binPrediction = true;
    const expected = this.expectedKind;
    if (expected !== undefined && e.prediction !== undefined) {
      const kind =
        this.multiclass && Array.isArray(e.prediction) && e.prediction.length > 1
          ? "label"
          : (e.predictionKind ?? kindOf(e.prediction, expected));
      if (kind !== expected) {
        binPrediction = false;
        this.predictionMismatch(kind, e);
      }
    }
    if (p.cls !== undefined) this.classCounter(v, p.cls).inc();
    if (p.score !== undefined && (binPrediction || expected === "label"))
      (this.regression ? v.value : v.score).observe(p.score);
    const variants = this.variants;
    const vi = variants ? variants.indexOf(e.variant) : 0;
    variants?.count(
      vi,
      p.cls === undefined ? undefined : this.classLabel(p.cls),
      binPrediction ? p.score : undefined,
    );
    const q = this.quality;
    const bins = q?.binsFor(p.score, p.probs);
    if (q) {
      q.prediction(e.id, e.version, p.cls, p.score, e.time, now, source, vi, e.requestId, bins);
      if (e.label !== undefined) q.label(e.id, e.label, e.time, now, source);
    }
    const layout = this.layout;
    if (!layout) {
      variants?.add(vi, Math.min(e.time, now), this.scratch, 0);
      return;
    }
    const scratch = this.scratch;
    const slots = layout.slots;
    for (let s = 0; s < layout.featureCount; s++) {
      const slot = slots[s] as Slot;
      const raw = e.features[slot.name];
      const b = layout.binOf(slot, raw);
      scratch[s] = b;
      if (b === MISSING_BIN) (v.missing[s] as Inc).inc();
      else if (b === INVALID_BIN) (v.invalid[s] as Inc).inc();
      else {
        (v.bins[b] as Inc).inc();
        // a value in a reference category has its own bin; only the "other" bin can be unseen
        if (
          slot.bins.type === "categorical" &&
          b === slot.offset + slot.bins.categories.length &&
          layout.isUnseen(slot, raw)
        )
          (v.unseen[s] as Inc).inc();
      }
    }
    let n = layout.featureCount;
    if (layout.predictionSlot >= 0) {
      const slot = slots[layout.predictionSlot] as Slot;
      const value = !binPrediction ? undefined : slot.bins.type === "numeric" ? p.score : p.cls;
      scratch[n++] = value === undefined ? MISSING_BIN : layout.binOf(slot, value);
    }
    // the A/B variants' windows count the layout's bins only
    const drift = n;
    const cbpe = this.cbpe;
    if (cbpe && bins) {
      const predicted = p.cls === undefined ? -1 : (this.classIndex.get(p.cls) ?? -1);
      const base = layout.width;
      const entries = cbpe.entries;
      for (let k = 0; k < entries.length; k++) {
        const b = bins[k] as number;
        if (b < 0) continue;
        const entry = entries[k] as (typeof entries)[number];
        scratch[n++] = base + 2 * (entry.offset + b) + (predicted === entry.classIndex ? 0 : 1);
      }
    }
    const t = Math.min(e.time, now);
    for (const { w } of this.windows) w.add(t, scratch, n);
    variants?.add(vi, t, scratch, drift);
  }

  /**
   * The features of a request the model server answered with a non-2xx status: counted by quality
   * in infermon_failed_request_feature_values_total, apart from the successful predictions' data
   * quality; no drift, no prediction, no label join.
   */
  observeFailed(e: InferenceEvent): void {
    const layout = this.layout;
    if (!layout) return;
    const v = this.children(e.version);
    if (!v.failed) v.failed = this.bindFailed(v.label);
    const failed = v.failed;
    for (let s = 0; s < layout.featureCount; s++) {
      const slot = layout.slots[s] as Slot;
      const raw = e.features[slot.name];
      const b = layout.binOf(slot, raw);
      let q = Q_OK;
      if (b === MISSING_BIN) q = Q_MISSING;
      else if (b === INVALID_BIN) q = Q_INVALID;
      else if (slot.bins.type === "categorical") {
        if (b === slot.offset + slot.bins.categories.length && layout.isUnseen(slot, raw)) q = Q_UNSEEN;
      } else if (slot.range) {
        const x = readNumber(raw);
        if (x !== MISSING_VALUE && x !== INVALID_VALUE && (x < slot.range.min || x > slot.range.max))
          q = Q_OUT_OF_RANGE;
      }
      ((failed[s] as Inc[])[q] as Inc).inc();
    }
  }

  private bindFailed(version: string): Inc[][] {
    const layout = this.layout as BinLayout;
    const out: Inc[][] = [];
    for (let s = 0; s < layout.featureCount; s++) {
      const slot = layout.slots[s] as Slot;
      out.push(
        FAILED_QUALITIES.map((quality) =>
          this.metrics.failedRequestValues.labels({
            model: this.model.name,
            model_version: version,
            feature: slot.name,
            quality,
          }),
        ),
      );
    }
    return out;
  }

  private predictionMismatch(kind: PredictionKind, e: InferenceEvent): void {
    const labels = kind === "label";
    (labels ? this.kindErrors.labels : this.kindErrors.scores).inc();
    const ref = labels ? "scores (probabilities)" : "class labels";
    this.onPredictionIssue(
      labels ? "labels_not_scores" : "scores_not_labels",
      `prediction.output "${this.model.prediction.output}" holds ${labels ? "class labels" : "scores"} (${sample(e.prediction)}) but the reference profile's prediction is ${ref}: name the output that holds ${ref}, or rebuild the profile from the same output`,
      e.id,
    );
  }

  /** Recompute the window gauges as of `now` (called before each scrape). */
  refresh(now: number): void {
    this.variants?.refresh(now);
    const m = this.metrics;
    const labels = { model: this.model.name, model_version: this.latestVersion };
    for (const { name, w } of this.windows) {
      w.advance(now);
      const samples = w.samples();
      m.windowSamples.set({ ...labels, window: name }, samples);
      const layout = this.layout;
      if (!layout || samples < this.model.minSamples) continue;
      const totals = w.totalCounts();
      if (this.cbpe) this.setEstimate(totals, layout.width, { ...labels, window: name });
      const smoothing = this.model.drift.smoothing;
      layout.slots.forEach((slot, s) => {
        const current = totals.subarray(slot.offset, slot.offset + slot.bins.size);
        let sum = 0;
        for (const c of current) sum += c;
        // all missing in this window, or no reference values: drift is undefined, no gauge
        if (sum === 0 || slot.referenceTotal === 0) return;
        const d = driftValues(current, slot.reference, smoothing);
        const se = driftStderr(current, slot.reference, smoothing);
        const st = m.driftStderr;
        if (s === layout.predictionSlot) {
          const l = { ...labels, window: name };
          m.predictionPsi.set(l, d.psi);
          m.predictionKl.set(l, d.kl);
          m.predictionJs.set(l, d.js);
          st.predictionPsi.set(l, se.psi);
          st.predictionKl.set(l, se.kl);
          st.predictionJs.set(l, se.js);
          // the levels the prediction alert compares with: fixed, or at this pod's own sample size
          const stat = this.model.drift.statistic;
          const levels = this.model.drift.fixed[stat] ?? sampleSizeLevels(stat, sum, slot.reference);
          for (const level of ["warning", "critical"] as const)
            m.predictionLevel.set({ ...l, statistic: stat, level }, levels[level]);
        } else {
          const l = { ...labels, feature: slot.name, window: name };
          m.featurePsi.set(l, d.psi);
          m.featureKl.set(l, d.kl);
          m.featureJs.set(l, d.js);
          st.featurePsi.set(l, se.psi);
          st.featureKl.set(l, se.kl);
          st.featureJs.set(l, se.js);
        }
      });
    }
  }

  /** The CBPE gauges of one window from its score-bin counts (after the layout's in `totals`). */
  private setEstimate(
    totals: Float64Array,
    base: number,
    l: { model: string; model_version: string; window: string },
  ): void {
    const s = this.cbpe as ScoreBins;
    const predicted = new Float64Array(s.bins);
    const notPredicted = new Float64Array(s.bins);
    for (let j = 0; j < s.bins; j++) {
      predicted[j] = totals[base + 2 * j] as number;
      notPredicted[j] = totals[base + 2 * j + 1] as number;
    }
    const classes = [...this.classIndex.keys()];
    const e = estimate(s, classes.length, predicted, notPredicted);
    // the same gate as every window value: min_samples predictions with a score
    if (!e || e.n < this.model.minSamples) return;
    setEstimate(this.metrics.quality, l, e, classes, s.binary);
  }

  private children(version: string): VersionChildren {
    const v = this.versions.get(version);
    if (v) return v;
    if (this.versions.size < MAX_VERSIONS && fitsLabel(version)) {
      const bound = this.bind(version);
      this.versions.set(version, bound);
      return bound;
    }
    // later (or over-long) versions share "other", and are not remembered one by one (memory stays
    // bounded too)
    let other = this.otherVersion;
    if (!other) other = this.otherVersion = this.bind(OTHER);
    return other;
  }

  private bind(version: string): VersionChildren {
    const m = this.metrics;
    const base = { model: this.model.name, model_version: version };
    const bins: Inc[] = [];
    const missing: Inc[] = [];
    const invalid: Inc[] = [];
    const unseen: Inc[] = [];
    const layout = this.layout;
    if (layout) {
      for (let s = 0; s < layout.featureCount; s++) {
        const slot = layout.slots[s] as Slot;
        const f = { ...base, feature: slot.name };
        slot.labels.forEach((bin, i) => {
          bins[slot.offset + i] = m.binObservations.labels({ ...f, bin });
        });
        missing[s] = m.featureMissing.labels(f);
        invalid[s] = m.featureInvalid.labels(f);
        // only a categorical feature can have an unseen category: no series for numeric ones
        if (slot.bins.type === "categorical") unseen[s] = m.featureUnseen.labels(f);
      }
    }
    const classes = new Map<string, Inc>();
    for (const c of this.model.prediction.classes ?? [])
      classes.set(c, m.predictions.labels({ ...base, class: c }));
    return {
      label: version,
      bins,
      missing,
      invalid,
      unseen,
      score: this.regression ? NO_OBS : m.predictionScore.labels(base),
      value: this.regression ? m.predictionValue.labels(base) : NO_OBS,
      classes,
      failed: undefined,
    };
  }

  private classCounter(v: VersionChildren, cls: string): Inc {
    // bounded: a model emitting free-form labels must not grow the series without end; the map is
    // keyed by the label, so it stays as small as the series
    const label = this.classLabel(cls);
    let c = v.classes.get(label);
    if (!c) {
      c = this.metrics.predictions.labels({ model: this.model.name, model_version: v.label, class: label });
      v.classes.set(label, c);
    }
    return c;
  }
}

/**
 * A classification prediction's kind from its value, when the output's datatype did not tell:
 * text and booleans are labels, lists are probabilities; a number is a score when it can be one
 * (in [0, 1] where scores are expected, not a whole number where labels are).
 */
function kindOf(raw: unknown, expected: PredictionKind): PredictionKind {
  if (Array.isArray(raw)) return raw.length === 1 ? kindOf(raw[0], expected) : "score";
  if (typeof raw === "string") {
    const n = raw.trim() === "" ? Number.NaN : Number(raw);
    return Number.isFinite(n) ? kindOf(n, expected) : "label";
  }
  if (typeof raw === "boolean") return "label";
  if (typeof raw !== "number" || !Number.isFinite(raw)) return expected; // unreadable: not a kind
  if (expected === "score") return raw >= 0 && raw <= 1 ? "score" : Number.isInteger(raw) ? "label" : "score";
  return Number.isInteger(raw) ? "label" : "score";
}

function sample(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
