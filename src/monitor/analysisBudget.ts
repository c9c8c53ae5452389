// How much of the event loop analysis may take. Analysis shares the thread (and, in a sidecar, the
// pod's CPU) with the proxy. design.md: if analysis falls behind, events are dropped and counted;
// the client's response is never delayed by monitoring. So:
//
// - while no proxied request is waiting (the usual case below saturation: a response has just been
//   sent and the next request has not come yet) analysis runs freely, in passes of `idlePassMs`;
// - while requests are in flight, analysis runs in short passes (`busyPassMs`, so a response that
//   arrives meanwhile waits at most that long) and takes at most `busyShare` of wall time per
//   window of `windowMs`. Past that the queue fills and further copies are dropped and counted.
//
// The event loop's own utilisation is not the signal: on a shared or CPU-limited host the proxy
// waits for CPU taken by others (the upstream, the load), so its loop looks partly idle while the
// pod is saturated. Requests in flight say directly that a client is waiting.
// Pure: the clock and the in-flight count are passed in.

export interface BudgetOptions {
  windowMs: number;
  /** share of wall time analysis may take while requests are in flight */
  busyShare: number;
  /** longest analysis pass while requests are in flight, ms */
  busyPassMs: number;
  /** longest analysis pass while none are, ms */
  idlePassMs: number;
}

export const DEFAULT_BUDGET: BudgetOptions = {
  windowMs: 100,
  busyShare: 0.05,
  busyPassMs: 0.1,
  idlePassMs: 0.5,
};

export class AnalysisBudget {
  private windowStart: number;
  private spentMs = 0;

  constructor(
    private readonly now: () => number,
    /** requests the proxy is serving right now */
    private readonly inFlight: () => number,
    private readonly opts: BudgetOptions = DEFAULT_BUDGET,
  ) {
    const { windowMs, busyShare, busyPassMs, idlePassMs } = opts;
    if (!(windowMs > 0)) throw new RangeError("windowMs must be > 0");
    if (!(busyShare > 0 && busyShare <= 1)) throw new RangeError("busyShare must be in (0, 1]");
    if (!(busyPassMs > 0 && idlePassMs > 0)) throw new RangeError("pass lengths must be > 0");
    this.windowStart = now();
  }

  /** How long the next analysis pass may run, ms; ≤ 0: wait for the next window. */
  passMs(): number {
    const t = this.now();
    if (t - this.windowStart >= this.opts.windowMs) {
      this.windowStart = t;
      this.spentMs = 0;
    }
    if (this.inFlight() === 0) return this.opts.idlePassMs;
    const left = this.opts.busyShare * this.opts.windowMs - this.spentMs;
    return Math.min(this.opts.busyPassMs, left);
  }

  /** Milliseconds until the next window starts. */
  msUntilNextWindow(): number {
    return Math.max(0, this.windowStart + this.opts.windowMs - this.now());
  }

  /** Record a pass. Time spent while nothing was in flight counts too: it is CPU all the same. */
  spend(ms: number): void {
    this.spentMs += ms;
  }
}
