// A sliding window of the last `events` events (a count window, `5000 events`): each event's flat
// bin indexes are kept in a ring, so when the window is full the oldest event's counts are
// subtracted exactly as the new one's are added. Reading is O(width), adding O(stride).
// Memory: events × stride × 4 bytes (stride = the indexes one event may set).
import type { BinWindow } from "./binWindow.js";

export class CountWindow implements BinWindow {
  private readonly ring: Int32Array;
  private readonly totals: Float64Array;
  /** events held (≤ capacity) and the ring slot the next one goes to */
  private held = 0;
  private next = 0;

  constructor(
    readonly width: number,
    readonly capacity: number,
    /** most bin indexes one event sets */
    readonly stride: number,
  ) {
    if (!(capacity >= 1) || !Number.isInteger(capacity) || !(stride >= 0) || !Number.isInteger(stride))
      throw new RangeError("bad window size");
    this.ring = new Int32Array(capacity * stride).fill(-1);
    this.totals = new Float64Array(width);
  }

  /** Count windows do not move with time. */
  advance(_now: number): void {}

  /**
   * Count one event whose flat bin indexes are `bins[0..n)` (negative entries are skipped); when the
   * window is full, the oldest event leaves first. Time plays no part: a late event is a new one.
   */
  add(_now: number, bins: ArrayLike<number>, n = bins.length): boolean {
    const stride = this.stride;
    if (n > stride) throw new RangeError(`an event sets ${n} bins, the window holds ${stride}`);
    const ring = this.ring;
    const totals = this.totals;
    const at = this.next * stride;
    if (this.held === this.capacity) {
      for (let i = at; i < at + stride; i++) {
        const j = ring[i] as number;
        if (j >= 0) totals[j] = (totals[j] as number) - 1;
      }
    } else this.held++;
    for (let i = 0; i < stride; i++) {
      const j = i < n ? (bins[i] as number) : -1;
      ring[at + i] = j;
      if (j >= 0) totals[j] = (totals[j] as number) + 1;
    }
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    return true;
  }

  totalCounts(): Float64Array {
    return this.totals;
  }

  samples(): number {
    return this.held;
  }

  /** Counts recomputed from the events held (for checking the running totals). */
  recount(): Float64Array {
    const out = new Float64Array(this.width);
    for (const j of this.ring) if (j >= 0) out[j] = (out[j] as number) + 1;
    return out;
  }
}
