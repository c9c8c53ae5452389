// One model's live statistics: its events binned into sliding windows (drift per feature and for
// the prediction, computed when /metrics is scraped), mergeable bin counters, prediction histograms
// and class counts, data-quality counters. Everything is laid out once at construction.
import type { InferenceEvent, PredictionErrorReason, PredictionKind } from "../adapters/inferenceEvent.js";
import type { ModelConfig } from "../config/model.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { QualityMonitor } from "../labels/qualityMonitor.js";
import { type BinLayout, INVALID_BIN, MISSING_BIN, type Slot } from "../stats/binLayout.js";
import { type BinWindow, binWindow } from "../stats/binWindow.js";
import { driftValues } from "../stats/drift.js";
import { driftStderr } from "../stats/driftStderr.js";
import { sampleSizeLevels } from "../stats/sampleSizeLevels.js";
import { VariantMonitor } from "../variants/variantMonitor.js";
import { EstimatedBins } from "./estimatedBins.js";
import { bindFailed, failedQuality } from "./failedRequestValues.js";
import { kindOf, sample } from "./predictionKind.js";
import { type PredictionReader, type PredictionReading, predictionReader } from "./predictionReading.js";
import { type Inc, VersionCounters } from "./versionCounters.js";

/** Called when a prediction is not read as configured (counted already), for the log. */
export type PredictionIssueListener = (reason: PredictionErrorReason, detail: string, id: string) => void;

const NO_PREDICTION: PredictionReading = Object.freeze({});

export class ModelMonitor {
  private readonly windows: { name: string; w: BinWindow }[];
  private readonly scratch: Int32Array;
  private readonly readPrediction: PredictionReader;
  private readonly counters: VersionCounters;
  private latestVersion: string;
  private readonly regression: boolean;
  /**
   * CBPE (calibrated score bins from the profile): each prediction also counts, per scored class,
   * in [predicted as the class, not] of its score bin, after the layout's bins in the windows
   */
  private readonly cbpe: EstimatedBins | undefined;
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
    this.cbpe = layout && scores?.calibrated ? new EstimatedBins(model, scores) : undefined;
    const width = (layout?.width ?? 0) + (this.cbpe?.width ?? 0);
    // an event sets one bin per slot (features, prediction) and per scored class at most
    const stride = (layout?.slots.length ?? 0) + (this.cbpe?.stride ?? 0);
    this.windows = model.windows.map((w) => ({ name: w.name, w: binWindow(w, width, stride) }));
    this.scratch = new Int32Array(stride);
    this.readPrediction = predictionReader(model);
    this.latestVersion = model.version;
    this.regression = model.task === "regression";
    this.counters = new VersionCounters(model, layout, metrics);
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
    this.counters.of(model.version);
    if (model.variants) this.variants = new VariantMonitor(model, layout, metrics.variants);
  }

  /** One event; `source` (the tap, a sender's name, Kafka) is whose entry it is in the label join. */
  observe(e: InferenceEvent, now: number, source = "tap"): void {
    const v = this.counters.of(e.version);
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
    if (p.cls !== undefined) this.counters.classCounter(v, p.cls).inc();
    if (p.score !== undefined && (binPrediction || expected === "label"))
      (this.regression ? v.value : v.score).observe(p.score);
    const variants = this.variants;
    const vi = variants ? variants.indexOf(e.variant) : 0;
    variants?.count(
      vi,
      p.cls === undefined ? undefined : this.counters.classLabel(p.cls),
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
    if (cbpe && bins) n = cbpe.fill(scratch, n, layout.width, p.cls, bins);
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
    const v = this.counters.of(e.version);
    if (!v.failed) v.failed = bindFailed(this.metrics, this.model.name, layout, v.label);
    const failed = v.failed;
    for (let s = 0; s < layout.featureCount; s++) {
      const slot = layout.slots[s] as Slot;
      ((failed[s] as Inc[])[failedQuality(layout, slot, e.features[slot.name])] as Inc).inc();
    }
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
      if (this.cbpe) this.cbpe.setGauges(m.quality, totals, layout.width, { ...labels, window: name });
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
}
