// The storage of the label join (joinStore.ts): a ring of typed arrays per source, entries in
// arrival order, one record of REC numbers per slot, and the bit layout of a record's meta number.

export const EMPTY = 0;
/** a prediction waiting for its label */
export const PREDICTION = 1;
/** a label that arrived before its prediction */
export const LABEL = 2;
/** joined; kept so that a repeated label or prediction is recognised */
export const JOINED = 3;
/** labels disagreed (reject_conflicts): the id joins nothing any more */
export const CONFLICT = 4;

/** at most this many rings (sources) per model: the index packs the ring in 4 bits */
export const MAX_SOURCES = 16;
/** sequence numbers are kept modulo 2^26 in the index (with the ring: below 2^30, a small integer) */
export const SEQ_BITS = 26;
export const SEQ_MASK = (1 << SEQ_BITS) - 1;
/** the most entries one ring can hold */
export const MAX_RING = 1 << SEQ_BITS;
export const MIN_CAPACITY = 64;
/** Stands for "no value" in a ring's extra numbers (a score bin of a prediction without that score). */
export const NO_EXTRA = 0xffff;
/**
 * numbers per record: arrival time, time, value, label, meta. Waiting: `time` is the event time of
 * the waiting half and `value` its value. Joined: `time` is the join time, `value` the prediction,
 * `label` the true value (what a retraction needs).
 */
export const REC = 5;
export const ARRIVED = 0;
export const TIME = 1;
export const VALUE = 2;
export const LABEL_VALUE = 3;
export const META = 4;

/** meta = state (3 bits) | restored (1 bit) | version (10 bits: version × variants) | partition slot */
export const stateOf = (meta: number): number => meta & 7;
export const versionOf = (meta: number): number => (meta >> 4) & 1023;
export const withState = (meta: number, state: number): number => (meta & ~7) | state;
export const RESTORED = 8;
export const NO_PARTITION = 0;
export const partitionOf = (meta: number): number => meta >>> 14;

export class Ring {
  cap: number;
  mask: number;
  ids: (string | undefined)[];
  /** a second id the entry is found by (the tap's x-request-id beside a body id), per slot */
  aliases: (string | undefined)[];
  rec: Float64Array;
  /**
   * `width` small numbers per slot kept with a prediction (its score bins, < NO_EXTRA): 2 bytes
   * each, so a binary model's join costs 2 bytes more per entry
   */
  extra: Uint16Array;
  head = 0;
  tail = 0;

  constructor(
    readonly maxCap: number,
    readonly width = 0,
  ) {
    this.cap = Math.min(maxCap, MIN_CAPACITY);
    this.mask = this.cap - 1;
    this.ids = new Array(this.cap);
    this.aliases = new Array(this.cap);
    this.rec = new Float64Array(this.cap * REC);
    this.extra = new Uint16Array(this.cap * width);
  }

  /** Keep `extra` (negative or absent: none) with the entry in `slot`. */
  setExtra(slot: number, extra: ArrayLike<number> | undefined): void {
    const w = this.width;
    for (let i = 0; i < w; i++) {
      const v = extra ? (extra[i] as number) : -1;
      this.extra[slot * w + i] = v >= 0 && v < NO_EXTRA ? v : NO_EXTRA;
    }
  }

  /** The extra numbers of the entry in `slot` into `out` (−1 for none). */
  getExtra(slot: number, out: Int32Array): Int32Array {
    const w = this.width;
    for (let i = 0; i < w; i++) {
      const v = this.extra[slot * w + i] as number;
      out[i] = v === NO_EXTRA ? -1 : v;
    }
    return out;
  }

  get size(): number {
    return this.tail - this.head;
  }

  /** Double the ring. Index values stay valid: slot = seq mod capacity, and capacity divides 2^26. */
  grow(): void {
    const cap = Math.min(this.cap * 2, this.maxCap);
    const mask = cap - 1;
    const ids: (string | undefined)[] = new Array(cap);
    const aliases: (string | undefined)[] = new Array(cap);
    const rec = new Float64Array(cap * REC);
    const w = this.width;
    const extra = new Uint16Array(cap * w);
    for (let seq = this.head; seq < this.tail; seq++) {
      const a = seq & this.mask;
      const b = seq & mask;
      ids[b] = this.ids[a];
      aliases[b] = this.aliases[a];
      rec.set(this.rec.subarray(a * REC, a * REC + REC), b * REC);
      if (w > 0) extra.set(this.extra.subarray(a * w, a * w + w), b * w);
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
export function flatten(s: string): void {
  (s as unknown as number) | 0;
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
