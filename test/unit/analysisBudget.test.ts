// The analysis budget: the share of the loop the proxy leaves (less headroom), never below the floor;
// short passes while requests are in flight.
import { describe, expect, it } from "vitest";
import { AnalysisBudget, type BudgetOptions } from "../../src/monitor/analysisBudget.js";
import { AnalysisQueue } from "../../src/monitor/analysisQueue.js";

const OPTS: BudgetOptions = {
  windowMs: 100,
  floor: 0.05,
  headroom: 0.1,
  saturated: 0.95,
  busyPassMs: 0.1,
  idlePassMs: 0.5,
};

function setup(inFlight = 0) {
  const s = { t: 1000, inFlight, busy: 0 };
  const b = new AnalysisBudget(
    () => s.t,
    () => s.inFlight,
    () => s.busy,
    OPTS,
  );
  return { s, b };
}

/** Spend what the budget allows in the current window; returns the ms spent. */
function drain(b: AnalysisBudget): number {
  let spent = 0;
  for (;;) {
    const p = b.passMs();
    if (p <= 0) return spent;
    expect(p).toBeLessThanOrEqual(0.1);
    b.spend(p);
    spent += p;
  }
}

describe("AnalysisBudget", () => {
  it("gives long passes while nothing is in flight, short ones while requests are", () => {
    const { s, b } = setup(0);
    s.t += 100;
    s.busy += 5; // a quiet loop
    expect(b.passMs()).toBe(0.5);
    s.inFlight = 1;
    expect(b.passMs()).toBe(0.1);
    expect(b.share).toBeCloseTo(0.85, 9);
  });

  it("at a heavy but unsaturated load, leaves analysis what the proxy does not need", () => {
    const { s, b } = setup(8);
    s.t += 100;
    s.busy += 90; // 90 % busy, 10 % of it analysis: the proxy needs 80 %
    b.spend(10);
    drain(b);
    expect(b.share).toBeCloseTo(0.1, 9);
  });

  it("leaves analysis most of the loop at ordinary load, even with requests in flight", () => {
    const { s, b } = setup(3);
    s.t += 100;
    s.busy += 30; // the loop was 30 % busy, none of it analysis: the proxy needs 30 %
    expect(drain(b)).toBeCloseTo(60, 6); // 1 − 0.1 headroom − 0.3
    expect(b.share).toBeCloseTo(0.6, 9);
  });

  it("shrinks analysis to the floor when the proxy needs the whole loop, and gives it back after", () => {
    const { s, b } = setup(32);
    // saturation: every window the loop is fully busy, and the proxy takes whatever analysis
    // leaves; analysis takes what it is allowed. Nothing measured yet: everything is allowed; after
    // one saturated window, the floor
    let spent = drain(b);
    const shares: number[] = [];
    for (let w = 0; w < 12; w++) {
      s.t += 100;
      s.busy += 100;
      spent = drain(b);
      shares.push(Number(b.share.toFixed(6)));
    }
    expect(shares).toEqual(Array(12).fill(0.05));
    expect(b.saturated).toBe(true);
    expect(b.share).toBe(0.05);
    expect(spent).toBeCloseTo(5, 6);
    expect(b.passMs()).toBeLessThanOrEqual(0);
    s.t += 40;
    expect(b.msUntilNextWindow()).toBe(60);
    // load falls: the loop was 20 % busy in the last window, 5 % of it analysis
    s.t += 60;
    s.busy += 20;
    drain(b);
    expect(b.share).toBeCloseTo(0.75, 9);
    expect(b.saturated).toBe(false);
  });

  it("caps analysis after a saturated window even at moments when nothing is in flight", () => {
    // at saturation the in-flight count often reads 0 between two batches of I/O
    const { s, b } = setup(0);
    s.t += 100;
    s.busy += 100;
    expect(b.passMs()).toBe(0.5);
    b.spend(4.95);
    expect(b.passMs()).toBeCloseTo(0.05, 9);
    b.spend(0.05);
    expect(b.passMs()).toBeLessThanOrEqual(0);
  });

  it("sheds only after two saturated windows in a row: one full window can be a passing burst", () => {
    const { s, b } = setup(8);
    s.t += 100;
    s.busy += 100; // one full window (a garbage collection, a burst)
    expect(b.share).toBe(1); // not rolled yet
    expect(b.saturated).toBe(false);
    expect(b.share).toBe(0.05); // analysis backs off at once
    s.t += 100;
    s.busy += 40; // it passed
    expect(b.saturated).toBe(false);
    s.t += 100;
    s.busy += 100;
    expect(b.saturated).toBe(false);
    s.t += 100;
    s.busy += 100; // the proxy needs the loop
    expect(b.saturated).toBe(true);
  });

  it("does not count scrapes and ingest bodies as the proxy's need, but spends them from analysis' share", () => {
    const { s, b } = setup(8);
    for (let w = 0; w < 3; w++) {
      // a full loop, 70 % of it rendering /metrics and reading ingest bodies, 30 % the proxy
      b.spendOutside(70);
      s.t += 100;
      s.busy += 100;
      expect(b.saturated).toBe(false);
      expect(b.share).toBeCloseTo(0.6, 9); // 1 − 0.1 headroom − 0.3 proxy
    }
    // within a window, outside work uses the allowance: 60 ms allowed, 50 spent outside
    b.spendOutside(50);
    expect(drain(b)).toBeCloseTo(10, 6);
  });

  it("rejects options that would never let analysis run", () => {
    const mk = (o: Partial<BudgetOptions>) => () =>
      new AnalysisBudget(
        Date.now,
        () => 0,
        () => 0,
        { ...OPTS, ...o },
      );
    expect(mk({ floor: 0 })).toThrow(/floor/);
    expect(mk({ windowMs: 0 })).toThrow(/windowMs/);
    expect(mk({ headroom: 1 })).toThrow(/headroom/);
    expect(mk({ saturated: 0 })).toThrow(/saturated/);
    expect(mk({ busyPassMs: 0 })).toThrow(/pass/);
  });
});

describe("AnalysisQueue with a budget", () => {
  it("stops draining when the budget is spent, fills, drops, and resumes in the next window", async () => {
    const s = { t: 0, inFlight: 1, busy: 0 };
    const budget = new AnalysisBudget(
      () => s.t,
      () => s.inFlight,
      () => s.busy,
      { windowMs: 20, floor: 0.1, headroom: 0, saturated: 0.95, busyPassMs: 1, idlePassMs: 1 },
    );
    s.t = 20;
    s.busy = 20; // a saturated first window: the next one allows the floor, 2 ms
    const seen: number[] = [];
    // each item "takes" 0.25 ms of the fake clock
    const q = new AnalysisQueue<number>(
      12,
      (n) => {
        seen.push(n);
        s.t += 0.25;
        s.busy += 0.25;
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

describe("mainThreadCpuClock", () => {
  it("counts the main thread's CPU time, not time it waits", async () => {
    const { mainThreadCpuClock } = await import("../../src/monitor/threadCpu.js");
    const clock = mainThreadCpuClock();
    if (process.platform !== "linux") {
      expect(clock).toBeUndefined();
      return;
    }
    expect(clock).toBeDefined();
    const cpu = clock as () => number;
    const a = cpu();
    const t = performance.now();
    while (performance.now() - t < 30) {} // 30 ms of work
    const b = cpu();
    await new Promise((r) => setTimeout(r, 50)); // 50 ms of waiting
    const c = cpu();
    expect(b - a).toBeGreaterThan(5); // ran (less when the machine is busy)
    expect(b - a).toBeLessThan(60);
    expect(c - b).toBeLessThan(15); // waited: no CPU
  });
});
