// Per-request problems (an upstream down, a client sending malformed bodies) can happen thousands of
// times a second; the counters carry the rate, the log carries examples. The first occurrence of
// each kind is logged at once, then at most one per interval with how many were left out.

export interface ThrottledEntry {
  /** occurrences of this kind not logged since the last line */
  suppressed: number;
}

export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    /** distinct kinds remembered at most (kinds include model names from traffic) */
    private readonly maxKinds = 1000,
  ) {}

  /** Whether to log this occurrence of `kind` now; if so, how many were left out before it. */
  take(kind: string): ThrottledEntry | undefined {
    const t = this.now();
    const s = this.last.get(kind);
    if (s === undefined) {
      if (this.last.size >= this.maxKinds) this.last.clear();
      this.last.set(kind, { at: t, suppressed: 0 });
      return { suppressed: 0 };
    }
    if (t - s.at < this.intervalMs) {
      s.suppressed++;
      return undefined;
    }
    const suppressed = s.suppressed;
    s.at = t;
    s.suppressed = 0;
    return { suppressed };
  }
}
