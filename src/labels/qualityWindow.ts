// A sliding window of quality counts (qualityCounts.ts) made of `buckets` slices by label arrival
// time, e.g. 1h = 60 × 1m. The window's counts are the slices merged when read (at most once per
// scrape), so float sums never drift by repeated add-and-subtract. Time is passed in.
import { mergeInto } from "./qualityCounts.js";

export class QualityWindow {
  readonly sliceMs: number;
  private readonly slices: Float64Array[];
  /** index (time / sliceMs) of the newest slice */
  private head = Number.NEGATIVE_INFINITY;

  constructor(
    readonly width: number,
    readonly windowMs: number,
    readonly buckets = 60,
  ) {
    if (!(windowMs > 0) || !(buckets >= 1) || !Number.isInteger(buckets))
      throw new RangeError("bad window size");
    this.sliceMs = windowMs / buckets;
    // a fresh array per slice: never `fill(sameArray)`
    this.slices = Array.from({ length: buckets }, () => new Float64Array(width));
  }

  /** Move the window to `now`, clearing the slices that fell out. */
  advance(now: number): void {
    const idx = Math.floor(now / this.sliceMs);
    if (idx <= this.head) return;
    const steps =
      this.head === Number.NEGATIVE_INFINITY ? this.buckets : Math.min(idx - this.head, this.buckets);
    for (let s = 0; s < steps; s++) this.slices[this.slot(idx - s)]?.fill(0);
    this.head = idx;
  }

  /** The slice to count a join at `now` into (the window moves forward first). */
  sliceAt(now: number): Float64Array {
    this.advance(now);
    return this.slices[this.slot(Math.max(Math.floor(now / this.sliceMs), this.head))] as Float64Array;
  }

  /** The slice a join counted at `t` went into, if it is still in the window (a retraction). */
  sliceHolding(t: number): Float64Array | undefined {
    const idx = Math.floor(t / this.sliceMs);
    if (idx > this.head || idx <= this.head - this.buckets) return undefined;
    return this.slices[this.slot(idx)];
  }

  /** The window's counts as of `now`: its slices merged. */
  totals(now: number): Float64Array {
    this.advance(now);
    const out = new Float64Array(this.width);
    for (const s of this.slices) mergeInto(out, s);
    return out;
  }

  private slot(idx: number): number {
    return ((idx % this.buckets) + this.buckets) % this.buckets;
  }
}
