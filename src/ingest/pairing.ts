// Pairs the request and response halves of payload-logger CloudEvents by ce-id. A half waits at most
// `ttlMs` and at most `maxPending` halves wait at once; expired or evicted halves are reported.
// Time is passed in.

export interface Half<M> {
  /** undefined when this half alone does not tell (e.g. a Seldon request without a model id) */
  model: M | undefined;
  body: Buffer;
  jsonLength?: number | undefined;
  time: number;
  /** the event's distributed-tracing extension (ce-traceparent / ce-tracestate) */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface Pair<M> {
  id: string;
  model: M | undefined;
  request: Half<M>;
  response: Half<M>;
}

export class Pairing<M> {
  private readonly pending = new Map<string, { half: "request" | "response"; value: Half<M> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxPending: number,
    private readonly onUnpaired: (n: number) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Add a half; the pair when its other half was waiting. */
  add(id: string, half: "request" | "response", value: Half<M>): Pair<M> | undefined {
    const other = this.pending.get(id);
    if (other && other.half !== half) {
      this.pending.delete(id);
      const [request, response] = half === "request" ? [value, other.value] : [other.value, value];
      return { id, model: request.model ?? response.model, request, response };
    }
    if (other)
      this.onUnpaired(1); // the same half twice: the older one can never pair
    else if (this.pending.size >= this.maxPending) {
      // evict the oldest (Map keeps insertion order)
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.onUnpaired(1);
    }
    this.pending.delete(id);
    this.pending.set(id, { half, value });
    return undefined;
  }

  /** Drop halves older than the ttl; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [id, p] of this.pending) {
      if (now - p.value.time < this.ttlMs) break; // insertion order is arrival order
      this.pending.delete(id);
      n++;
    }
    if (n > 0) this.onUnpaired(n);
    return n;
  }
}
