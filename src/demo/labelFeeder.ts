// Ground truth arrives late in real life (a loan repays or not months later, a fraud report days
// later): the demo holds each truth for a delay and then posts it to the agent's ingest
// (`POST /v1/labels`, a JSON array per batch), as a label pipeline would. The ingest binds loopback;
// an ingest that requires authentication (`ingest.web_config_file`) gets the configured header.
import { request } from "undici";

export interface PendingLabel {
  model: string;
  id: string;
  label: string;
  /** when it may be posted (ms since the epoch) */
  due: number;
}

export interface LabelStats {
  posted: number;
  matched: number;
  failed: number;
  /** dropped unposted: more than 100,000 waiting */
  dropped: number;
}

export interface LabelFeederOptions {
  /** the ingest's base URL, e.g. http://127.0.0.1:8081 */
  ingestUrl: string;
  /** [min, max] delay of a label after its prediction, ms */
  delayMs: readonly [number, number];
  /** random number in [0, 1) */
  random: () => number;
  /** how often due labels are posted */
  everyMs?: number;
  headers?: Record<string, string>;
  now?: () => number;
}

export class LabelFeeder {
  readonly stats: LabelStats = { posted: 0, matched: 0, failed: 0, dropped: 0 };
  private queue: PendingLabel[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: LabelFeederOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** A truth to post after the delay (bounded: beyond 100,000 waiting, the oldest is dropped). */
  add(model: string, id: string, label: string): void {
    const [lo, hi] = this.opts.delayMs;
    this.queue.push({ model, id, label, due: this.now() + lo + this.opts.random() * (hi - lo) });
    if (this.queue.length > 100_000) {
      this.queue.shift();
      this.stats.dropped++;
    }
  }

  get waiting(): number {
    return this.queue.length;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.flush());
    }, this.opts.everyMs ?? 500);
  }

  /** Post every label that is due (all of them with `all`). */
  async flush(all = false): Promise<void> {
    const t = this.now();
    const due = all ? this.queue : this.queue.filter((l) => l.due <= t);
    if (due.length === 0) return;
    this.queue = all ? [] : this.queue.filter((l) => l.due > t);
    try {
      const res = await request(`${this.opts.ingestUrl}/v1/labels`, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.opts.headers },
        body: JSON.stringify(due.map(({ model, id, label }) => ({ model, id, label }))),
      });
      const body = (await res.body.json().catch(() => ({}))) as { matched?: number };
      if (res.statusCode === 202) {
        this.stats.posted += due.length;
        this.stats.matched += body.matched ?? 0;
      } else this.stats.failed += due.length;
    } catch {
      this.stats.failed += due.length;
    }
  }

  /** Stop posting; labels still waiting are dropped (their predictions' join expires in the agent). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
  }
}
