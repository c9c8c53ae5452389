// Pending predictions and early labels of one model, keyed by request id, joined when the other
// half arrives. Compact by construction (docs/adr/0010-label-join.md): entries live in a ring of
// typed arrays in arrival order, plus one Map from id to the entry's sequence number; no object per
// entry. Entries leave the ring oldest first: after `ttlMs`, or when `maxEntries` are held.
// Joined entries stay (as ids only) until then, so a second label for the same id is recognised
// as a duplicate. Pure: time is passed in.

const EMPTY = 0;
/** a prediction waiting for its label */
const PREDICTION = 1;
/** a label that arrived before its prediction */
const LABEL = 2;
/** joined; kept so that a repeated label or prediction is a duplicate */
const JOINED = 3;

/** sequence numbers are kept modulo 2^30 in the index (a small integer, no heap number) */
const SEQ_MASK = 0x3fffffff;
const MIN_CAPACITY = 1024;
/** numbers per record: arrived, time, value, meta (state + 4 × version) */
const REC = 4;
const ARRIVED = 0;
const TIME = 1;
const VALUE = 2;
const META = 3;

export type PredictionOutcome = "pending" | "joined" | "duplicate";
export type LabelJoinOutcome = "matched" | "waiting" | "duplicate";

/** Stands for "no value" in the extra numbers (a score bin of a prediction without that score). */
const NO_EXTRA = 0xffff;

/** What the store reports; called synchronously, with numbers only. */
export interface JoinSink {
  /**
   * a prediction met its label; `delayMs` = label time − prediction time (≥ 0); `extra`: the
   * prediction's extra numbers (its score bins; -1 for none), valid during the call only
   */
  joined(prediction: number, label: number, version: number, delayMs: number, extra: ArrayLike<number>): void;
  /** a prediction left without a label (ttl or eviction) */
  expired(n: number): void;
  /** a label left without a prediction (ttl or eviction) */
  unmatched(n: number): void;
}

export class JoinStore {
  private cap: number;
  private mask: number;
  private readonly maxCap: number;
  private ids: (string | undefined)[];
  /** a second id the entry is found by (the tap's x-request-id beside a body id), per slot */
  private aliases: (string | undefined)[];
  /**
   * One record of REC numbers per slot, together so that a join touches one cache line: arrival
   * time, event time, value, and state + 4 × version. (Separate arrays per field cost a cache miss
   * each at a million entries — bench/labels/join.mjs.)
   */
  private rec: Float64Array;
  /**
   * `extraWidth` small numbers per slot kept with a prediction (its score bins, < 0xffff): 2 bytes
   * each, so a binary model's join costs 2 bytes more per entry.
   */
  private extra: Uint16Array;
  /** the extra numbers of the prediction being joined, for the sink */
  private readonly scratch: Int32Array;
  private readonly index = new Map<string, number>();
  /** sequence numbers of the oldest entry and of the next one */
  private head = 0;
  private tail = 0;
  private predictions = 0;
  private labels = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
    private readonly sink: JoinSink,
    readonly extraWidth = 0,
  ) {
    if (!(maxEntries >= 1) || maxEntries > SEQ_MASK) throw new RangeError("maxEntries out of range");
    this.maxCap = nextPow2(maxEntries);
    this.cap = Math.min(this.maxCap, MIN_CAPACITY);
    this.mask = this.cap - 1;
    this.ids = new Array(this.cap);
    this.aliases = new Array(this.cap);
    this.rec = new Float64Array(this.cap * REC);
    this.extra = new Uint16Array(this.cap * extraWidth);
    this.scratch = new Int32Array(extraWidth).fill(-1);
  }

  /** Predictions waiting for a label. */
  get pendingPredictions(): number {
    return this.predictions;
  }

  /** Labels waiting for their prediction. */
  get waitingLabels(): number {
    return this.labels;
  }

  /** Entries held (waiting either way, or joined and remembered for duplicates). */
  get size(): number {
    return this.tail - this.head;
  }

  /**
   * A prediction (`value`: class index or regression value) made at `time`, seen at `now`; a label
   * sent with `alias` (another id the client saw for it) joins too. `extra`: extraWidth numbers in
   * [0, 0xffff), negative for none; absent: none.
   */
  addPrediction(
    id: string,
    value: number,
    version: number,
    time: number,
    now: number,
    alias?: string,
    extra?: ArrayLike<number>,
  ): PredictionOutcome {
    // entries past the ttl leave first: a late half never joins, whether or not a sweep ran
    this.expire(now);
    const rec = this.rec;
    let seq = this.index.get(id);
    if (seq === undefined && alias !== undefined) {
      // a label that came first with the other id waits under it; any other entry there (a client
      // reusing one x-request-id) is not this prediction
      const a = this.index.get(alias);
      if (a !== undefined && rec[(a & this.mask) * REC + META] === LABEL) {
        seq = a;
        // the body id finds the joined entry too (a repeated label with it is a duplicate)
        const s = a & this.mask;
        if (this.aliases[s] === undefined) {
          flatten(id);
          this.aliases[s] = id;
          this.index.set(id, a);
        }
      }
    }
    if (seq !== undefined) {
      const r = (seq & this.mask) * REC;
      if (rec[r + META] !== LABEL) return "duplicate";
      rec[r + META] = JOINED;
      this.labels--;
      const labelTime = rec[r + TIME] as number;
      const x = this.scratch;
      for (let i = 0; i < this.extraWidth; i++) x[i] = extra ? (extra[i] as number) : -1;
      this.sink.joined(value, rec[r + VALUE] as number, version, Math.max(0, labelTime - time), x);
      return "joined";
    }
    const slot = this.insert(id, now);
    if (alias !== undefined && alias !== id && !this.index.has(alias)) {
      flatten(alias);
      this.aliases[slot] = alias;
      this.index.set(alias, (this.tail - 1) & SEQ_MASK);
    }
    const r = slot * REC;
    const w = this.extraWidth;
    for (let i = 0; i < w; i++) {
      const v = extra ? (extra[i] as number) : -1;
      this.extra[slot * w + i] = v >= 0 && v < NO_EXTRA ? v : NO_EXTRA;
    }
    this.rec[r + META] = PREDICTION + 4 * version;
    this.rec[r + TIME] = time;
    this.rec[r + VALUE] = value;
    this.predictions++;
    return "pending";
  }

  /** A label (`value`: class index or true value) observed at `time`, arriving at `now`. */
  addLabel(id: string, value: number, time: number, now: number): LabelJoinOutcome {
    this.expire(now);
    const rec = this.rec;
    const seq = this.index.get(id);
    if (seq !== undefined) {
      const r = (seq & this.mask) * REC;
      const meta = rec[r + META] as number;
      if (meta % 4 !== PREDICTION) return "duplicate";
      rec[r + META] = JOINED;
      this.predictions--;
      const predTime = rec[r + TIME] as number;
      const x = this.scratch;
      const w = this.extraWidth;
      const at = (seq & this.mask) * w;
      for (let i = 0; i < w; i++) {
        const v = this.extra[at + i] as number;
        x[i] = v === NO_EXTRA ? -1 : v;
      }
      this.sink.joined(
        rec[r + VALUE] as number,
        value,
        (meta - PREDICTION) / 4,
        Math.max(0, time - predTime),
        x,
      );
      return "matched";
    }
    const r = this.insert(id, now) * REC;
    this.rec[r + META] = LABEL;
    this.rec[r + TIME] = time;
    this.rec[r + VALUE] = value;
    this.labels++;
    return "waiting";
  }

  /** Drop entries older than the ttl (reported through the sink). */
  expire(now: number): void {
    const ttl = this.ttlMs;
    let expired = 0;
    let unmatched = 0;
    while (
      this.head < this.tail &&
      now - (this.rec[(this.head & this.mask) * REC + ARRIVED] as number) >= ttl
    ) {
      const st = this.dropHead();
      if (st === PREDICTION) expired++;
      else if (st === LABEL) unmatched++;
    }
    if (expired > 0) this.sink.expired(expired);
    if (unmatched > 0) this.sink.unmatched(unmatched);
  }

  /** Forget everything (shutdown); returns what was waiting, for the log. Nothing is reported. */
  clear(): { predictions: number; labels: number } {
    const out = { predictions: this.predictions, labels: this.labels };
    while (this.head < this.tail) this.dropHead();
    return out;
  }

  /** A slot for a new entry at the tail (expired entries have left): the oldest leaves if full. */
  private insert(id: string, now: number): number {
    if (this.size >= this.maxEntries) {
      const st = this.dropHead();
      if (st === PREDICTION) this.sink.expired(1);
      else if (st === LABEL) this.sink.unmatched(1);
    }
    if (this.size >= this.cap) this.grow();
    const seq = this.tail++;
    const s = seq & this.mask;
    flatten(id);
    this.ids[s] = id;
    this.rec[s * REC + ARRIVED] = now;
    this.index.set(id, seq & SEQ_MASK);
    return s;
  }

  private dropHead(): number {
    const s = this.head & this.mask;
    const st = (this.rec[s * REC + META] as number) % 4;
    if (st === PREDICTION) this.predictions--;
    else if (st === LABEL) this.labels--;
    this.index.delete(this.ids[s] as string);
    this.ids[s] = undefined;
    const alias = this.aliases[s];
    if (alias !== undefined) {
      // only when it still points here (a later entry may have taken the same id)
      if (this.index.get(alias) === (this.head & SEQ_MASK)) this.index.delete(alias);
      this.aliases[s] = undefined;
    }
    this.rec[s * REC + META] = EMPTY;
    this.head++;
    return st;
  }

  /** Double the ring. Index values stay valid: slot = seq mod capacity, and capacity divides 2^30. */
  private grow(): void {
    const cap = Math.min(this.cap * 2, this.maxCap);
    const mask = cap - 1;
    const ids: (string | undefined)[] = new Array(cap);
    const aliases: (string | undefined)[] = new Array(cap);
    const rec = new Float64Array(cap * REC);
    const w = this.extraWidth;
    const extra = new Uint16Array(cap * w);
    for (let seq = this.head; seq < this.tail; seq++) {
      const a = seq & this.mask;
      const b = seq & mask;
      ids[b] = this.ids[a];
      aliases[b] = this.aliases[a];
      for (let k = 0; k < REC; k++) rec[b * REC + k] = this.rec[a * REC + k] as number;
      for (let k = 0; k < w; k++) extra[b * w + k] = this.extra[a * w + k] as number;
    }
    this.cap = cap;
    this.mask = mask;
    this.ids = ids;
    this.aliases = aliases;
    this.rec = rec;
    this.extra = extra;
  }
}

/**
 * Make V8 store `s` as one flat string. Ids built by concatenation (crypto.randomUUID, which the
 * tap calls for requests without an x-request-id, joins 20 pieces) are trees of cons strings: kept
 * as they are, one held ~600 bytes; flattened (the GC then drops the tree) ~56
 * (bench/labels/join.mjs). A numeric conversion flattens in place, as the flatstr package does.
 */
function flatten(s: string): void {
  (s as unknown as number) | 0;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
