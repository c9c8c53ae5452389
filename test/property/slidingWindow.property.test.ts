import fc from "fast-check";
import { describe, it } from "vitest";
import { SlidingWindow } from "../../src/stats/slidingWindow.js";

const WIDTH = 5;
const WINDOW = 60_000;
const BUCKETS = 12;
const BUCKET = WINDOW / BUCKETS;

/** events as (time step, bin) with times moving forward by random steps, some late */
const events = fc.array(
  fc.record({
    dt: fc.integer({ min: -BUCKET, max: WINDOW / 2 }),
    bin: fc.integer({ min: -1, max: WIDTH - 1 }),
  }),
  { maxLength: 300 },
);

describe("SlidingWindow (properties)", () => {
  it("merged sub-buckets equal counting the window's events at once", () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 0, max: 3 * WINDOW }), (evs, tail) => {
        const w = new SlidingWindow(WIDTH, WINDOW, BUCKETS);
        const accepted: { t: number; bin: number }[] = [];
        let t = 1_000_000;
        let head = Number.NEGATIVE_INFINITY;
        for (const e of evs) {
          t = Math.max(0, t + e.dt);
          if (w.add(t, [e.bin])) accepted.push({ t, bin: e.bin });
          head = Math.max(head, Math.floor(t / BUCKET));
        }
        const now = (head === Number.NEGATIVE_INFINITY ? 0 : head * BUCKET) + tail;
        w.advance(now);
        const newest = Math.max(head, Math.floor(now / BUCKET));
        // an event is in the window when its sub-bucket is one of the newest BUCKETS
        const expected = new Float64Array(WIDTH);
        let samples = 0;
        for (const a of accepted) {
          if (Math.floor(a.t / BUCKET) > newest - BUCKETS) {
            samples++;
            if (a.bin >= 0) expected[a.bin]!++;
          }
        }
        const totals = w.totalCounts();
        const recount = w.recount();
        for (let i = 0; i < WIDTH; i++) {
          if (totals[i] !== expected[i] || recount[i] !== expected[i]) return false;
        }
        return w.samples() === samples;
      }),
      { numRuns: 300 },
    );
  });
});
