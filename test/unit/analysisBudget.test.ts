// The analysis budget: free while no request waits, a bounded share of wall time while some do.
import { describe, expect, it } from "vitest";
import { AnalysisBudget, type BudgetOptions } from "../../src/monitor/analysisBudget.js";
import { AnalysisQueue } from "../../src/monitor/analysisQueue.js";

const OPTS: BudgetOptions = { windowMs: 100, busyShare: 0.05, busyPassMs: 0.1, idlePassMs: 0.5 };

function setup(inFlight = 0) {
  const s = { t: 1000, inFlight };
  const b = new AnalysisBudget(
    () => s.t,
    () => s.inFlight,
    OPTS,
  );
  return { s, b };
}

describe("AnalysisBudget", () => {
  it("gives long passes and no cap while nothing is in flight", () => {
    const { b } = setup(0);
    for (let i = 0; i < 1000; i++) {
      expect(b.passMs()).toBe(0.5);
      b.spend(0.5);
    }
  });

  it("caps analysis at busyShare of each window while requests are in flight", () => {
    const { s, b } = setup(32);
    let spent = 0;
    for (;;) {
      const p = b.passMs();
      if (p <= 0) break;
      expect(p).toBeLessThanOrEqual(0.1);
      b.spend(p);
      spent += p;
    }
    expect(spent).toBeCloseTo(5, 9); // 5 % of 100 ms
    expect(b.msUntilNextWindow()).toBe(100);
    s.t += 40;
    expect(b.passMs()).toBeLessThanOrEqual(0);
    expect(b.msUntilNextWindow()).toBe(60);
    s.t += 60; // the next window: a fresh allowance
    expect(b.passMs()).toBe(0.1);
  });

  it("counts time spent while idle against the busy allowance of the same window", () => {
    const { s, b } = setup(0);
    b.passMs();
    b.spend(4.95);
    s.inFlight = 3;
    expect(b.passMs()).toBeCloseTo(0.05, 9);
  });

  it("rejects options that would never let analysis run", () => {
    expect(() => new AnalysisBudget(Date.now, () => 0, { ...OPTS, busyShare: 0 })).toThrow(/busyShare/);
    expect(() => new AnalysisBudget(Date.now, () => 0, { ...OPTS, windowMs: 0 })).toThrow(/windowMs/);
    expect(() => new AnalysisBudget(Date.now, () => 0, { ...OPTS, busyPassMs: 0 })).toThrow(/pass/);
  });
});

describe("AnalysisQueue with a budget", () => {
  it("stops draining when the budget is spent, fills, drops, and resumes in the next window", async () => {
    const s = { t: 0, inFlight: 1 };
    const budget = new AnalysisBudget(
      () => s.t,
      () => s.inFlight,
      { windowMs: 20, busyShare: 0.1, busyPassMs: 1, idlePassMs: 1 },
    );
    const seen: number[] = [];
    // each item "takes" 0.25 ms of the fake clock; 2 ms are allowed per 20 ms window, in passes of
    // at most 1 ms
    const q = new AnalysisQueue<number>(
      12,
      (n) => {
        seen.push(n);
        s.t += 0.25;
      },
      undefined,
      { batch: 256, passMs: 1, budget, now: () => s.t },
    );
    const offered = Array.from({ length: 14 }, (_, i) => q.offer(i));
    expect(offered.filter((x) => !x)).toHaveLength(2); // full: the caller counts these drops
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(8); // two passes of 4, then the window's 2 ms are spent
    expect(q.depth).toBe(4);
    s.t += 20; // the next window, and nothing waits any more: drain freely
    s.inFlight = 0;
    await q.idle();
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});
