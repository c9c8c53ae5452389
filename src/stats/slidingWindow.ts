/**
 * A sliding window of bin counts made of `buckets` sub-buckets (e.g. 1h = 60 × 1m). Each sub-bucket
 * holds integer counts for the whole layout; the window's totals are kept as a running sum, so
 * reading is O(width) and expiring a sub-bucket subtracts its counts exactly. Time is passed in
 * (milliseconds), never read from a clock.
 */
export class SlidingWindow {
  readonly bucketMs: number;
  private readonly counts: Uint32Array[];
  private readonly samplesPerBucket: Float64Array;
  private readonly totals: Float64Array;
  private totalSamples = 0;
  /** index (time / bucketMs) of the newest sub-bucket */
  private head = Number.NEGATIVE_INFINITY;

  constructor(
    readonly width: number,
    readonly windowMs: number,
    readonly buckets = 60,
  ) {
    if (!(windowMs > 0) || !(buckets >= 1) || !Number.isInteger(buckets))
      throw new RangeError("bad window size");
    this.bucketMs = windowMs / buckets;
    // a fresh array per sub-bucket: never `fill(sameArray)`
    this.counts = Array.from({ length: buckets }, () => new Uint32Array(width));
    this.samplesPerBucket = new Float64Array(buckets);
    this.totals = new Float64Array(width);
  }

  /** Move the window to `now`, expiring sub-buckets that fell out. */
  advance(now: number): void {
    const idx = Math.floor(now / this.bucketMs);
    if (idx <= this.head) return;
    const steps =
      this.head === Number.NEGATIVE_INFINITY ? this.buckets : Math.min(idx - this.head, this.buckets);
    // the sub-buckets head+1 … idx reuse the slots of the ones that expire
    for (let s = 0; s < steps; s++) this.clear(this.slot(idx - s));
    this.head = idx;
  }

  /**
   * Count one event whose flat bin indexes are `bins` (negative entries are skipped: missing or
   * invalid values). Events older than the window are ignored; late ones land in their sub-bucket.
   */
  add(now: number, bins: ArrayLike<number>, n = bins.length): boolean {
    const idx = Math.floor(now / this.bucketMs);
    if (idx > this.head) this.advance(now);
    else if (idx <= this.head - this.buckets) return false;
    const b = this.slot(idx);
    const counts = this.counts[b] as Uint32Array;
    const totals = this.totals;
    for (let i = 0; i < n; i++) {
      const j = bins[i] as number;
      if (j >= 0) {
        counts[j] = (counts[j] as number) + 1;
        totals[j] = (totals[j] as number) + 1;
      }
    }
    this.samplesPerBucket[b] = (this.samplesPerBucket[b] as number) + 1;
    this.totalSamples++;
    return true;
  }

  /** Counts per bin over the window as of the last `advance`/`add`. The array is live: copy to keep. */
  totalCounts(): Float64Array {
    return this.totals;
  }

  /** Events in the window. */
  samples(): number {
    return this.totalSamples;
  }

  /** Counts merged from the sub-buckets one by one (for checking the running totals). */
  recount(): Float64Array {
    const out = new Float64Array(this.width);
    for (const c of this.counts)
      for (let i = 0; i < this.width; i++) out[i] = (out[i] as number) + (c[i] as number);
    return out;
  }

  private slot(idx: number): number {
    return ((idx % this.buckets) + this.buckets) % this.buckets;
  }

  private clear(b: number): void {
    const counts = this.counts[b] as Uint32Array;
    const totals = this.totals;
    for (let i = 0; i < this.width; i++) {
      const c = counts[i] as number;
      if (c !== 0) {
        totals[i] = (totals[i] as number) - c;
        counts[i] = 0;
      }
    }
    this.totalSamples -= this.samplesPerBucket[b] as number;
    this.samplesPerBucket[b] = 0;
  }
}
