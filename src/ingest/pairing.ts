// Pairs the request and response halves of payload-logger CloudEvents. The key is (model or source,
// id): halves with the same id pair only when they name the same model, or, when one of them names
// none, come from the same source. Halves naming different models never pair (two services reusing
// one id); that is reported as a conflict and each half waits for its own partner. A half waits at
// most `ttlMs` and at most `maxPending` halves wait at once; expired or evicted halves are reported.
// Time is passed in.

export interface Half<M> {
  /** undefined when this half alone does not tell (e.g. a Seldon request without a model id) */
  model: M | undefined;
  /** the CloudEvent source (ce-source), the scope of a half without a model */
  source?: string | undefined;
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

export interface PairingEvents {
  /** halves that will never pair (expired, evicted, or replaced by a later same half) */
  unpaired(n: number): void;
  /** a half whose id was waiting for a different model */
  conflict(): void;
}

interface Waiting<M> {
  seq: number;
  id: string;
  half: "request" | "response";
  value: Half<M>;
}

const sameScope = <M>(a: Half<M>, b: Half<M>): boolean =>
  a.model !== undefined && b.model !== undefined
    ? a.model === b.model
    : (a.source ?? "") === (b.source ?? "");

export class Pairing<M> {
  /** every waiting half, in arrival order (Map keeps insertion order) */
  private readonly order = new Map<number, Waiting<M>>();
  /** the waiting halves of an id: almost always one */
  private readonly byId = new Map<string, Waiting<M>[]>();
  private seq = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxPending: number,
    private readonly on: PairingEvents,
  ) {}

  get size(): number {
    return this.order.size;
  }

  /** Add a half; the pair when its other half was waiting. */
  add(id: string, half: "request" | "response", value: Half<M>): Pair<M> | undefined {
    const list = this.byId.get(id);
    if (list) {
      let conflict = false;
      for (const w of list) {
        if (!sameScope(w.value, value)) {
          if (w.half !== half) conflict = true;
          continue;
        }
        this.remove(w);
        if (w.half !== half) {
          const [request, response] = half === "request" ? [value, w.value] : [w.value, value];
          return { id, model: request.model ?? response.model, request, response };
        }
        // the same half twice: the older one can never pair
        this.on.unpaired(1);
        break;
      }
      if (conflict) this.on.conflict();
    }
    if (this.order.size >= this.maxPending) {
      const oldest = this.order.values().next().value as Waiting<M>;
      this.remove(oldest);
      this.on.unpaired(1);
    }
    const w: Waiting<M> = { seq: this.seq++, id, half, value };
    this.order.set(w.seq, w);
    const l = this.byId.get(id);
    if (l) l.push(w);
    else this.byId.set(id, [w]);
    return undefined;
  }

  /** Drop halves older than the ttl; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const w of this.order.values()) {
      if (now - w.value.time < this.ttlMs) break; // insertion order is arrival order
      this.remove(w);
      n++;
    }
    if (n > 0) this.on.unpaired(n);
    return n;
  }

  private remove(w: Waiting<M>): void {
    this.order.delete(w.seq);
    const list = this.byId.get(w.id);
    if (!list) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byId.delete(w.id);
  }
}
