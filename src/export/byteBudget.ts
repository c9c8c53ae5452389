// One budget of bytes held in memory at once by everything traffic makes the agent buffer: tap
// bodies read whole, copies of bodies waiting for analysis, ingest bodies. Slow or flooding
// clients can hold at most this much; past it the ingest answers 503 and the tap passes bodies
// through without a copy (counted). Synchronous and single-threaded: take/release are additions.

export class ByteBudget {
  private held = 0;

  constructor(readonly max: number) {
    if (!(max > 0)) throw new RangeError("max must be > 0");
  }

  /** Bytes held now. */
  get used(): number {
    return this.held;
  }

  /** Reserve `n` bytes; false (nothing reserved) when that would pass the budget. */
  take(n: number): boolean {
    if (this.held + n > this.max) return false;
    this.held += n;
    return true;
  }

  /** Give back `n` bytes taken earlier. */
  release(n: number): void {
    this.held = Math.max(0, this.held - n);
  }
}

/** A budget that never refuses (components used without an agent: tests, benchmarks). */
export const UNLIMITED = new ByteBudget(Number.MAX_SAFE_INTEGER);
