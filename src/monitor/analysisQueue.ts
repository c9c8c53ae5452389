// The bounded hand-off between the proxy's hot path and analysis. `offer` never blocks and never
// allocates beyond the item: when the ring is full it returns false and the caller counts the drop.
// Draining runs in batches on setImmediate (at most `batch` items or `budgetMs`), so analysis
// yields to I/O between batches and adds at most about half a millisecond to any request.

export class AnalysisQueue<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private scheduled = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly capacity: number,
    private readonly consume: (item: T) => void,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly batch = 256,
    /** a drain pass stops after this long, so analysis never holds the event loop for more */
    private readonly budgetMs = 0.5,
  ) {
    this.ring = new Array(Math.max(0, capacity));
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
    const deadline = performance.now() + this.budgetMs;
    for (let n = 0; n < this.batch && this.size > 0; n++) {
      // check the clock every 8 items: one exchange takes ~10 µs (bench/proxy/analysisCost.mjs)
      if ((n & 7) === 7 && performance.now() > deadline) break;
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
    if (this.size > 0) this.schedule();
    else if (this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  };
}
