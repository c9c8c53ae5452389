// The windows model quality is counted in, by label arrival: by time (QualityWindow: slices merged
// when read) or by count (the last N joins, kept as records and counted when read, so float sums
// never drift by add-and-subtract). A join is one record of numbers — predicted and true value,
// then the score bins (joinRecord.ts) — that `apply` adds into a counts array.
import type { WindowConfig } from "../config/window.js";
import { QualityWindow } from "./qualityWindow.js";

/** Adds the join record `rec[at … at+stride)` into `counts`, `w` times (−1 takes it back). */
export type ApplyJoin = (counts: Float64Array, rec: ArrayLike<number>, at: number, w?: number) => void;

export interface JoinWindow {
  /** Count one join (`rec[0 … stride)`) that happened at `now`. */
  add(now: number, rec: ArrayLike<number>): void;
  /** The window's counts as of `now` (a fresh array). */
  totals(now: number): Float64Array;
  /**
   * Take back a join counted at `joinTime` (a conflicting label): from the time slice holding it,
   * if the window still does; a count window drops its newest record equal to `rec`.
   */
  retract(joinTime: number, rec: ArrayLike<number>): void;
}

class TimeJoinWindow implements JoinWindow {
  private readonly w: QualityWindow;
  constructor(
    width: number,
    ms: number,
    private readonly apply: ApplyJoin,
  ) {
    this.w = new QualityWindow(width, ms, 60);
  }
  add(now: number, rec: ArrayLike<number>): void {
    this.apply(this.w.sliceAt(now), rec, 0);
  }
  totals(now: number): Float64Array {
    return this.w.totals(now);
  }
  retract(joinTime: number, rec: ArrayLike<number>): void {
    const slice = this.w.sliceHolding(joinTime);
    if (slice) this.apply(slice, rec, 0, -1);
  }
}

/** The last `capacity` joins; memory: capacity × stride × 8 bytes. */
export class CountJoinWindow implements JoinWindow {
  private readonly ring: Float64Array;
  private held = 0;
  private next = 0;

  constructor(
    private readonly width: number,
    readonly capacity: number,
    private readonly stride: number,
    private readonly apply: ApplyJoin,
  ) {
    this.ring = new Float64Array(capacity * stride);
  }

  add(_now: number, rec: ArrayLike<number>): void {
    const at = this.next * this.stride;
    for (let i = 0; i < this.stride; i++) this.ring[at + i] = rec[i] as number;
    if (this.held < this.capacity) this.held++;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  totals(_now: number): Float64Array {
    const out = new Float64Array(this.width);
    // oldest first, as the joins came: a float sum depends on its order, and the window's must be
    // the one a recount of the last N joins gives, to the last bit
    const first = this.held < this.capacity ? 0 : this.next;
    for (let k = 0; k < this.held; k++) {
      const r = first + k < this.capacity ? first + k : first + k - this.capacity;
      // a retracted join (NaN) holds its place until it is overwritten
      if (!Number.isNaN(this.ring[r * this.stride] as number)) this.apply(out, this.ring, r * this.stride);
    }
    return out;
  }

  retract(_joinTime: number, rec: ArrayLike<number>): void {
    const n = this.stride;
    for (let k = 1; k <= this.held; k++) {
      const r = (this.next - k + this.capacity) % this.capacity;
      let same = true;
      for (let i = 0; i < n && same; i++) same = this.ring[r * n + i] === rec[i];
      if (same) {
        this.ring[r * n] = Number.NaN;
        return;
      }
    }
  }
}

export function joinWindow(w: WindowConfig, width: number, stride: number, apply: ApplyJoin): JoinWindow {
  return w.kind === "time"
    ? new TimeJoinWindow(width, w.ms, apply)
    : new CountJoinWindow(width, w.events, stride, apply);
}
