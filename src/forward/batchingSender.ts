// The machinery shared by the agent's outgoing senders (the forwarder to another agent's join, the
// Kafka predictions publisher): a bounded buffer filled without blocking, batches sent one at a
// time, a partial batch sent after a linger, and a close that drains within a deadline. What
// goes over the wire, retries and logging stay with the sender that owns the transport.

export interface BatchingSenderOptions<T> {
  /** items held at most; beyond that an offer is refused and counted dropped */
  capacity: number;
  /** items per send at most */
  batchSize: number;
  /** how long a partial batch waits for more */
  lingerMs: number;
  /**
   * After a send, what is left waits the linger unless a full batch is waiting (true), or goes at
   * once (false).
   */
  lingerAfterSend: boolean;
  /** sends one batch; resolves when done with it (counting its own successes and failures) */
  send(batch: T[]): Promise<void>;
  /** before a batch is taken: false leaves the buffer as it is this round (e.g. not connected) */
  ready?(): Promise<boolean>;
  /** counts `n` items dropped: refused by a full or closed buffer, or still buffered at close */
  dropped(n: number): void;
  /** frees the transport at close; awaited no longer than the deadline (at least 100 ms) */
  release(): Promise<void>;
}

export class BatchingSender<T> {
  private readonly buffer: T[] = [];
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly o: BatchingSenderOptions<T>) {}

  /** Items waiting to be sent. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** True once close() has been called: senders stop retrying. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Non-blocking: queues the item, or counts it dropped when the buffer is full or closed.
   * `item` is called only when the item is taken, so a flood beyond capacity costs no encoding.
   */
  offer(item: () => T): boolean {
    if (this.isClosed || this.buffer.length >= this.o.capacity) {
      this.o.dropped(1);
      return false;
    }
    this.buffer.push(item());
    if (this.buffer.length >= this.o.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.o.lingerMs).unref();
    return true;
  }

  /** Sends what is buffered (within `graceMs`), then releases the transport; the rest is counted dropped. */
  async close(graceMs: number): Promise<void> {
    this.isClosed = true;
    const deadline = Date.now() + graceMs;
    while ((this.buffer.length > 0 || this.sending) && Date.now() < deadline) {
      this.kick();
      await Promise.race([this.sending, new Promise((r) => setTimeout(r, 50))]);
    }
    clearTimeout(this.timer);
    if (this.buffer.length > 0) this.o.dropped(this.buffer.splice(0).length);
    // a transport still trying to connect would hold shutdown for its whole retry schedule
    await Promise.race([
      this.o.release().catch(() => {}),
      new Promise((r) => setTimeout(r, Math.max(100, deadline - Date.now())).unref()),
    ]);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.buffer.length === 0) return;
    this.sending = this.sendBatch().finally(() => {
      this.sending = undefined;
      if (this.buffer.length === 0) return;
      if (!this.o.lingerAfterSend || this.buffer.length >= this.o.batchSize || this.isClosed) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.o.lingerMs).unref();
    });
  }

  private async sendBatch(): Promise<void> {
    // without `ready` nothing is awaited before the batch is taken
    if (this.o.ready && !(await this.o.ready())) return;
    await this.o.send(this.buffer.splice(0, this.o.batchSize));
  }
}
