// Count windows are exact: after any sequence of events, the window's counts are those of the
// last N events, counted at once (a naive recount in the test), for the drift bins and for joins.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CountJoinWindow } from "../../src/labels/joinWindow.js";
import { CountWindow } from "../../src/stats/countWindow.js";

const WIDTH = 7;

describe("CountWindow (properties)", () => {
  it("holds exactly the counts of the last N events", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: -2, max: WIDTH - 1 }), { minLength: 0, maxLength: 3 }), {
          maxLength: 200,
        }),
        (n, events) => {
          const w = new CountWindow(WIDTH, n, 3);
          for (const e of events) w.add(0, e, e.length);
          const expected = new Float64Array(WIDTH);
          for (const e of events.slice(-n)) for (const b of e) if (b >= 0) expected[b]!++;
          expect(Array.from(w.totalCounts())).toEqual(Array.from(expected));
          expect(Array.from(w.recount())).toEqual(Array.from(expected));
          expect(w.samples()).toBe(Math.min(n, events.length));
        },
      ),
    );
  });

  it("ignores time: late and future events are the next events", () => {
    const w = new CountWindow(2, 2, 1);
    w.add(5_000, [0]);
    w.add(1, [1]);
    w.add(1e12, [1]);
    expect(Array.from(w.totalCounts())).toEqual([0, 2]);
  });

  it("refuses an event with more bins than its stride", () => {
    expect(() => new CountWindow(4, 2, 1).add(0, [0, 1], 2)).toThrow(RangeError);
  });
});

describe("CountJoinWindow (properties)", () => {
  it("counts exactly the last N joins, recomputed (no float drift from subtracting)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(
          fc.tuple(
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          ),
          {
            maxLength: 120,
          },
        ),
        (n, joins) => {
          // regression-like records: [prediction, truth] → [n, Σ|e|]
          const apply = (c: Float64Array, r: ArrayLike<number>, at: number) => {
            c[0]! += 1;
            c[1]! += Math.abs((r[at] as number) - (r[at + 1] as number));
          };
          const w = new CountJoinWindow(2, n, 2, apply);
          for (const j of joins) w.add(0, j);
          const expected = new Float64Array(2);
          for (const j of joins.slice(-n)) apply(expected, j, 0);
          expect(Array.from(w.totals(0))).toEqual(Array.from(expected));
        },
      ),
      // the failure CI once met (the ring had wrapped: its sum ran in slot order, 1 ulp off)
      {
        examples: [
          [
            4,
            [
              [0, 0],
              [-1390.3972060467934, 0],
              [0, 0],
              [522643.59541127476, 0],
              [0, -255.9994896103741],
            ],
          ],
        ],
      },
    );
  });
});
