// How much of the event loop analysis may take. Analysis shares the thread (and, in a sidecar, the
// pod's CPU) with the proxy. design.md: if analysis falls behind, events are dropped and counted;
// the client's response is never delayed by monitoring. So, per window of `windowMs`:
//
//   proxy share   = loop busy share − monitoring share   (both over the last window)
//   allowed share = max(floor, 1 − headroom − proxy share), or the floor if the loop was saturated
//                   (busy, less monitoring work outside analysis, ≥ `saturated`: the proxy wanted
//                   more than it got, its need is unknown)
//
// At ordinary load that is most of the loop; when the proxy needs the whole loop, analysis keeps
// `floor` of it, the queue fills, and further copies are dropped and counted rather than responses
// slowed down. Passes are short (`busyPassMs`) while requests are in flight, so a response that
// arrives meanwhile waits at most that long, and longer (`idlePassMs`) while none is. The in-flight
// count cannot replace the measurement: at saturation it often reads 0 between two batches of I/O.
//
// Shedding (`saturated`) waits for two saturated windows in a row (issue #16 §4): one window can be
// full for reasons that pass (a garbage collection, a burst, analysis catching up a backlog — after
// which analysis is at its floor, so a second full window is the proxy's own). The other long
// monitoring work on the loop — rendering /metrics, reading big ingest bodies (loopSlicer.ts) — is
// spent from analysis' allowance but is not the proxy's need: it never makes a window saturated.
// "Busy" is the main thread's CPU time where the system tells it (threadCpu.ts), else the loop's
// utilisation.
//
// Pure: the clock, the in-flight count and the loop's cumulative busy time are passed in.

export interface BudgetOptions {
  windowMs: number;
  /** the share analysis keeps even when the proxy wants the whole loop */
  floor: number;
  /** the share left unclaimed for the proxy's bursts when sizing analysis' allowance */
  headroom: number;
  /** a loop busy at least this share of a window (monitoring work outside analysis aside) was saturated */
  saturated: number;
  /** longest analysis pass while requests are in flight, ms */
  busyPassMs: number;
  /** longest analysis pass while none are, ms */
  idlePassMs: number;
}

export const DEFAULT_BUDGET: BudgetOptions = {
  windowMs: 100,
  floor: 0.05,
  headroom: 0.1,
  saturated: 0.95,
  busyPassMs: 0.1,
  idlePassMs: 0.5,
};

export class AnalysisBudget {
  private windowStart: number;
  private busyAtStart: number;
  private spentMs = 0;
  /** monitoring work outside analysis passes in this window, ms */
  private outsideMs = 0;
  private allowedShare = 1;
  private wasSaturated = false;
  /** saturated windows in a row, up to the last one */
  private saturatedRun = 0;

  constructor(
    private readonly now: () => number,
    /** requests the proxy is serving right now */
    private readonly inFlight: () => number,
    /** the event loop's cumulative busy time, ms (performance.eventLoopUtilization().active) */
    private readonly busyMs: () => number,
    private readonly opts: BudgetOptions = DEFAULT_BUDGET,
  ) {
    const { windowMs, floor, headroom, saturated, busyPassMs, idlePassMs } = opts;
    if (!(windowMs > 0)) throw new RangeError("windowMs must be > 0");
    if (!(floor > 0 && floor <= 1)) throw new RangeError("floor must be in (0, 1]");
    if (!(headroom >= 0 && headroom < 1)) throw new RangeError("headroom must be in [0, 1)");
    if (!(saturated > 0 && saturated <= 1)) throw new RangeError("saturated must be in (0, 1]");
    if (!(busyPassMs > 0 && idlePassMs > 0)) throw new RangeError("pass lengths must be > 0");
    this.windowStart = now();
    this.busyAtStart = busyMs();
  }

  /**
   * The last two windows were saturated: the proxy needs the loop, analysis is at its floor, and a
   * backlog would only be analysed late (and cold) — callers shed new copies early instead of
   * filling the queue.
   */
  get saturated(): boolean {
    this.roll();
    return this.saturatedRun >= 2;
  }

  /** The share of the loop analysis may take in this window. */
  get share(): number {
    return this.allowedShare;
  }

  /** How long the next analysis pass may run, ms; ≤ 0: wait for the next window. */
  passMs(): number {
    this.roll();
    const left = this.allowedShare * this.opts.windowMs - this.spentMs;
    return Math.min(this.inFlight() === 0 ? this.opts.idlePassMs : this.opts.busyPassMs, left);
  }

  /** Milliseconds until the next window starts. */
  msUntilNextWindow(): number {
    return Math.max(0, this.windowStart + this.opts.windowMs - this.now());
  }

  /** Record a pass. Time spent while nothing was in flight counts too: it is CPU all the same. */
  spend(ms: number): void {
    this.spentMs += ms;
  }

  /**
   * Record monitoring work outside analysis passes (a slice of a scrape or of an ingest body): it
   * uses analysis' allowance, and is not the proxy's need when judging saturation.
   */
  spendOutside(ms: number): void {
    this.spentMs += ms;
    this.outsideMs += ms;
  }

  private roll(): void {
    const t = this.now();
    const elapsed = t - this.windowStart;
    if (elapsed < this.opts.windowMs) return;
    const busy = this.busyMs();
    const busyShare = clamp01((busy - this.busyAtStart) / elapsed);
    const proxyShare = Math.max(0, busyShare - clamp01(this.spentMs / elapsed));
    const { floor, headroom, saturated } = this.opts;
    this.wasSaturated = busyShare - clamp01(this.outsideMs / elapsed) >= saturated;
    this.saturatedRun = this.wasSaturated ? this.saturatedRun + 1 : 0;
    this.allowedShare = this.wasSaturated ? floor : Math.min(1, Math.max(floor, 1 - headroom - proxyShare));
    this.windowStart = t;
    this.busyAtStart = busy;
    this.spentMs = 0;
    this.outsideMs = 0;
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
