// One model's shadow statistics: both sides' status codes and latencies on the replayed requests,
// drops and skips, per-row agreement and differences, the shadow's prediction distribution, and
// the drift of the shadow's predictions against the reference in the model's windows. Counters
// are bound once; every series a rule rates exists at 0 from the start.
import type { ModelConfig } from "../config/model.js";
import type { CounterChild, HistogramChild } from "../export/boundMetrics.js";
import { INITIAL_CODES } from "../export/initialSeries.js";
import { CappedLabel, codeLabel, OTHER } from "../export/labelValues.js";
import {
  SHADOW_DROP_REASONS,
  SHADOW_RESULTS,
  SHADOW_SKIP_REASONS,
  type ShadowDropReason,
  type ShadowMetrics,
  type ShadowResult,
  type ShadowSkipReason,
} from "../export/shadowMetrics.js";
import type { BinLayout, Slot } from "../stats/binLayout.js";
import { type BinWindow, binWindow } from "../stats/binWindow.js";
import { driftValues } from "../stats/drift.js";
import type { Comparison } from "./compare.js";

/** Distinct shadow class labels kept when `prediction.classes` is not configured. */
const MAX_CLASSES = 100;

export type Side = "primary" | "shadow";

export class ShadowModel {
  private readonly codes: Record<Side, Map<number, CounterChild>>;
  private readonly durations: Record<Side, HistogramChild>;
  private readonly drops: Record<ShadowDropReason, CounterChild>;
  private readonly skips: Record<ShadowSkipReason, CounterChild>;
  private readonly results: Record<ShadowResult, CounterChild>;
  private readonly difference: HistogramChild;
  private readonly numbers: HistogramChild;
  private readonly classes = new Map<string, CounterChild>();
  private readonly classLabel: (c: string) => string;
  private readonly slot: Slot | undefined;
  private readonly windows: { name: string; w: BinWindow }[];
  private readonly bin = new Int32Array(1);

  constructor(
    readonly model: ModelConfig,
    layout: BinLayout | undefined,
    private readonly metrics: ShadowMetrics,
  ) {
    const m = { model: model.name };
    const sideCodes = (side: Side) =>
      new Map(INITIAL_CODES.map((c) => [c, metrics.requests.labels({ ...m, side, code: codeLabel(c) })]));
    this.codes = { primary: sideCodes("primary"), shadow: sideCodes("shadow") };
    this.durations = {
      primary: metrics.duration.labels({ ...m, side: "primary" }),
      shadow: metrics.duration.labels({ ...m, side: "shadow" }),
    };
    const bound = <R extends string>(
      list: readonly R[],
      c: { labels(l: Record<string, string>): CounterChild },
      key: string,
    ) => Object.fromEntries(list.map((r) => [r, c.labels({ ...m, [key]: r })])) as Record<R, CounterChild>;
    this.drops = bound(SHADOW_DROP_REASONS, metrics.dropped, "reason");
    this.skips = bound(SHADOW_SKIP_REASONS, metrics.skipped, "reason");
    this.results = bound(SHADOW_RESULTS, metrics.comparisons, "result");
    this.difference = metrics.difference.labels(m);
    this.numbers = model.task === "regression" ? metrics.value.labels(m) : metrics.score.labels(m);
    const known = model.prediction.classes;
    if (known) {
      const set = new Set(known);
      this.classLabel = (c) => (set.has(c) ? c : OTHER);
      for (const c of known) this.classes.set(c, metrics.predictions.labels({ ...m, class: c }));
    } else {
      const cap = new CappedLabel(MAX_CLASSES);
      this.classLabel = (c) => cap.of(c);
    }
    metrics.inFlight.set(m, 0);
    metrics.queueDepth.set(m, 0);
    // the shadow's predictions in the reference's prediction bins
    const s = layout && layout.predictionSlot >= 0 ? layout.slots[layout.predictionSlot] : undefined;
    this.slot = s && s.referenceTotal > 0 ? s : undefined;
    const width = this.slot ? this.slot.offset + this.slot.bins.size : 0;
    this.windows = model.windows.map((w) => ({ name: w.name, w: binWindow(w, width, 1) }));
    this.layout = layout;
  }

  private readonly layout: BinLayout | undefined;

  /** One side's answer to a replayed request (a status code; 502/504 for the shadow's own failures). */
  answered(side: Side, code: number, seconds: number): void {
    const codes = this.codes[side];
    let c = codes.get(code);
    if (!c) {
      c = this.metrics.requests.labels({ model: this.model.name, side, code: codeLabel(code) });
      codes.set(code, c);
    }
    c.inc();
    if (seconds >= 0) this.durations[side].observe(seconds);
  }

  dropped(reason: ShadowDropReason): void {
    this.drops[reason].inc();
  }

  skipped(reason: ShadowSkipReason): void {
    this.skips[reason].inc();
  }

  /** The rows of one compared request, at `now`. */
  compared(c: Comparison, now: number): void {
    if (c.kind === "skipped") {
      this.skipped(c.reason);
      return;
    }
    for (const row of c.rows) {
      this.results[row.agree === undefined ? "no_prediction" : row.agree ? "agree" : "disagree"].inc();
      if (row.difference !== undefined) this.difference.observe(row.difference);
      const s = row.shadow;
      if (s.cls !== undefined) this.classCounter(s.cls).inc();
      if (s.score !== undefined) this.numbers.observe(s.score);
      const slot = this.slot;
      if (!slot || !this.layout) continue;
      const value = slot.bins.type === "numeric" ? s.score : s.cls;
      if (value === undefined) continue;
      this.bin[0] = this.layout.binOf(slot, value);
      for (const { w } of this.windows) w.add(now, this.bin, 1);
    }
  }

  /** Recompute the window gauges as of `now` (before each scrape). */
  refresh(now: number, inFlight: number, queued: number): void {
    const m = this.metrics;
    const model = this.model.name;
    m.inFlight.set({ model }, inFlight);
    m.queueDepth.set({ model }, queued);
    const slot = this.slot;
    for (const { name, w } of this.windows) {
      w.advance(now);
      const samples = w.samples();
      const l = { model, window: name };
      m.windowSamples.set(l, samples);
      if (!slot || samples < this.model.minSamples) continue;
      const current = w.totalCounts().subarray(slot.offset, slot.offset + slot.bins.size);
      let sum = 0;
      for (const c of current) sum += c;
      if (sum === 0) continue;
      const d = driftValues(current, slot.reference, this.model.drift.smoothing);
      m.psi.set(l, d.psi);
      m.kl.set(l, d.kl);
      m.js.set(l, d.js);
    }
  }

  private classCounter(cls: string): CounterChild {
    const label = this.classLabel(cls);
    let c = this.classes.get(label);
    if (!c) {
      c = this.metrics.predictions.labels({ model: this.model.name, class: label });
      this.classes.set(label, c);
    }
    return c;
  }
}
