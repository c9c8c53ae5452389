// What the live statistics count events into: a sliding window by time (SlidingWindow, 60
// sub-buckets) or by count (CountWindow, the last N events exactly), behind one interface.
import type { WindowConfig } from "../config/window.js";
import { CountWindow } from "./countWindow.js";
import { SlidingWindow } from "./slidingWindow.js";

export interface BinWindow {
  /** Move a time window to `now` (count windows ignore it). */
  advance(now: number): void;
  /** Count one event's flat bin indexes `bins[0..n)` (negative ones skipped); false when too old. */
  add(now: number, bins: ArrayLike<number>, n?: number): boolean;
  /** Counts per bin in the window. Live: copy to keep. */
  totalCounts(): Float64Array;
  /** Events in the window. */
  samples(): number;
}

/** The window `w` over `width` bins; a count window keeps up to `stride` indexes per event. */
export function binWindow(w: WindowConfig, width: number, stride: number): BinWindow {
  return w.kind === "time" ? new SlidingWindow(width, w.ms, 60) : new CountWindow(width, w.events, stride);
}
