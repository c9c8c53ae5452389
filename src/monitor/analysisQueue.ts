// The bounded hand-off between the proxy's hot path and analysis. `offer` never blocks and never
// allocates beyond the item: when the ring is full it returns false and the caller counts the drop.
// Draining runs in batches on setImmediate (at most `batch` items or `budgetMs`), so analysis
// yields to I/O between batches and adds at most about half a millisecond to any request. With a
// budget (analysisBudget.ts) a saturated proxy also caps analysis' share of the loop: the queue then
// fills and further copies are dropped and counted, instead of responses slowing down.

export interface QueueOptions {
  /** most items per drain pass (default 256) */
  batch?: number;
  /** a drain pass stops after this long, so analysis never holds the event loop for more (default 0.5 ms) */
  passMs?: number;
  budget?: DrainBudget;
  /** the clock passes are timed with (default performance.now) */
  now?: () => number;
}

/** What the queue asks of an analysis budget (AnalysisBudget). */
export interface DrainBudget {
  passMs(): number;
  msUntilNextWindow(): number;
  spend(ms: number): void;
}

export class AnalysisQueue<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private scheduled = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  private readonly batch: number;
  private readonly maxPassMs: number;
  private readonly budget: DrainBudget | undefined;
  private readonly now: () => number;

  constructor(
    readonly capacity: number,
    private readonly consume: (item: T) => void,
    private readonly onError: (err: unknown) => void = () => {},
    opts: QueueOptions = {},
  ) {
    this.ring = new Array(Math.max(0, capacity));
    this.batch = opts.batch ?? 256;
    this.maxPassMs = opts.passMs ?? 0.5;
    this.budget = opts.budget;
    this.now = opts.now ?? (() => performance.now());
  }

  get depth(): number {
    return this.size;
  }

  /** Enqueue without blocking; false when full (the item is not kept). */
  offer(item: T): boolean {
    if (this.size >= this.capacity) return false;
    this.ring[(this.head + this.size) % this.capacity] = item;
    this.size++;
    this.schedule();
    return true;
  }

  /** Stop consuming (tests use it to stall analysis on purpose). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Resolves once the queue is empty (after everything offered so far was consumed). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.size === 0) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.paused) return;
    const start = this.now();
    let passMs = this.maxPassMs;
    if (this.budget) {
      const left = this.budget.passMs();
      if (left <= 0) {
        // out of budget for this window: wait for the next one (the queue may fill meanwhile)
        this.scheduled = true;
        // not unref'd: at shutdown the agent waits for the queue to drain
        setTimeout(this.run, Math.max(1, this.budget.msUntilNextWindow()));
        return;
      }
      passMs = Math.min(passMs, left);
    }
    const deadline = start + passMs;
    for (let n = 0; n < this.batch && this.size > 0; n++) {
      // one exchange takes ~10 µs (bench/proxy/analysisCost.mjs); reading the clock ~0.05 µs
      if (n > 0 && this.now() >= deadline) break;
      const item = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      try {
        this.consume(item);
      } catch (err) {
        // analysis must never take the agent down; the caller counts it
        this.onError(err);
      }
    }
    this.budget?.spend(this.now() - start);
    if (this.size > 0) this.schedule();
    else if (this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  };
}
