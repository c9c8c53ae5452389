import { describe, expect, it } from "vitest";
import { SlidingWindow } from "../../src/stats/slidingWindow.js";

describe("SlidingWindow", () => {
  it("expires sub-buckets as time passes", () => {
    const w = new SlidingWindow(3, 60_000, 6); // 6 × 10 s
    w.add(0, [0]);
    w.add(5_000, [1]);
    w.add(15_000, [2]);
    expect(Array.from(w.totalCounts())).toEqual([1, 1, 1]);
    expect(w.samples()).toBe(3);
    w.advance(60_000); // the [0,10s) bucket falls out
    expect(Array.from(w.totalCounts())).toEqual([0, 0, 1]);
    expect(w.samples()).toBe(1);
    w.advance(10 * 60_000); // everything falls out
    expect(Array.from(w.totalCounts())).toEqual([0, 0, 0]);
    expect(w.samples()).toBe(0);
  });
  it("skips negative indexes (missing values) but counts the event", () => {
    const w = new SlidingWindow(2, 1000, 10);
    w.add(1, [-1, 1]);
    expect(Array.from(w.totalCounts())).toEqual([0, 1]);
    expect(w.samples()).toBe(1);
  });
  it("puts late events in their own sub-bucket and ignores ones older than the window", () => {
    const w = new SlidingWindow(1, 60_000, 6);
    w.add(50_000, [0]);
    expect(w.add(45_000, [0])).toBe(true);
    expect(w.add(-20_000, [0])).toBe(false);
    w.advance(105_000); // buckets up to [40s,50s) expire, [50s,60s) stays
    expect(w.totalCounts()[0]).toBe(1);
  });
  it("keeps buckets independent (no shared array)", () => {
    const w = new SlidingWindow(1, 2000, 2);
    w.add(0, [0]);
    w.add(1000, [0]);
    w.advance(2000);
    expect(w.totalCounts()[0]).toBe(1);
    expect(Array.from(w.recount())).toEqual([1]);
  });
});
