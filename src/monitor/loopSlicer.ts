// Long monitoring work on the proxy's thread (rendering a large /metrics, reading a big ingest
// body) is cut into slices of about `sliceMs`, with a turn of the event loop between them, so an
// inference request that arrives meanwhile waits at most one slice, not the whole job. The time
// each slice took is reported (`onWork`): the analysis budget counts it as monitoring, not as the
// proxy's need (analysisBudget.ts).

export interface LoopSlicerOptions {
  /** longest slice, ms (default 1) */
  sliceMs?: number;
  /** each slice's duration, ms, once it ends */
  onWork?: (ms: number) => void;
  now?: () => number;
}

/** One job's slicing: `if (slice.due()) await slice.turn();` between pieces of work. */
export interface Slice {
  /** the current slice is used up */
  due(): boolean;
  /** end the slice and resolve after a turn of the event loop, in a new slice */
  turn(): Promise<void>;
  /** the job is done: report the last slice */
  end(): void;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class LoopSlicer {
  private readonly sliceMs: number;
  private readonly onWork: (ms: number) => void;
  private readonly now: () => number;

  constructor(o: LoopSlicerOptions = {}) {
    this.sliceMs = o.sliceMs ?? 1;
    this.onWork = o.onWork ?? (() => {});
    this.now = o.now ?? (() => performance.now());
  }

  /** Start a job's first slice now. */
  start(): Slice {
    let started = this.now();
    let ended = false;
    const report = () => {
      const t = this.now();
      this.onWork(t - started);
      started = t;
    };
    return {
      due: () => this.now() - started >= this.sliceMs,
      turn: () => {
        report();
        return nextTurn().then(() => {
          started = this.now();
        });
      },
      end: () => {
        if (ended) return;
        ended = true;
        report();
      },
    };
  }
}

/** No slicing: the whole job in one go (tests, and callers without an event loop to share). */
export const UNSLICED = new LoopSlicer({ sliceMs: Number.POSITIVE_INFINITY });
