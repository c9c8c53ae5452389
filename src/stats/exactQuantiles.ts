// Exact order statistics of a stream of finite doubles in bounded memory, for quantile edges of
// data of any size (docs/adr/0007-batch-engine.md). Radix selection on each value's 64-bit
// order-preserving key: pass one counts values per leading-digit bucket and finds the buckets
// holding the wanted ranks; each further pass either collects the few values of those buckets
// (sorted, exact) or counts the next digit inside them. Memory is a few 256 KB tables per wanted
// rank, never the values; most data needs two or three passes.
import { edgeRanks, edgesFromOrderStatistics } from "./quantiles.js";

/** Values a bucket may hold to be collected and sorted instead of refined by another pass. */
const COLLECT_CAP = 1 << 15;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

// order-preserving key halves: flip every bit of negatives, only the sign bit of the rest
let keyHi = 0;
let keyLo = 0;
function setKey(x: number): void {
  f64[0] = x;
  const hi = u32[HI] as number;
  const lo = u32[LO] as number;
  if (hi & 0x80000000) {
    keyHi = ~hi >>> 0;
    keyLo = ~lo >>> 0;
  } else {
    keyHi = (hi | 0x80000000) >>> 0;
    keyLo = lo;
  }
}

function valueOfKey(hi: number, lo: number): number {
  if (hi & 0x80000000) {
    u32[HI] = (hi & 0x7fffffff) >>> 0;
    u32[LO] = lo;
  } else {
    u32[HI] = ~hi >>> 0;
    u32[LO] = ~lo >>> 0;
  }
  return f64[0] as number;
}

// The key read as four digits: 16, 16, 16, 16 bits. `digit(d)` of the current key.
const digit = (d: number): number =>
  d === 0 ? keyHi >>> 16 : d === 1 ? keyHi & 0xffff : d === 2 ? keyLo >>> 16 : keyLo & 0xffff;
const DIGITS = 4;

interface Wanted {
  /** rank among all values */
  rank: number;
  /** rank inside its current bucket */
  within: number;
  value?: number;
}

/** A bucket (values sharing the first `depth` digits) holding wanted ranks. */
interface Bucket {
  prefix: number[];
  wanted: Wanted[];
  /** counts of the next digit, or the values themselves when few */
  counts?: Uint32Array;
  values?: number[];
}

const prefixKey = (p: readonly number[]): number => p.reduce((k, d) => k * 65536 + d, 0);

export class ExactQuantiles {
  private n = 0;
  private depth = 0;
  /** buckets of the current pass, by prefix; the first pass has one empty-prefix bucket */
  private buckets = new Map<number, Bucket>();
  /** first digits of any live bucket, to skip most values quickly */
  private firstDigit = new Uint8Array(65536);
  private wanted: Wanted[] = [];
  private done = false;

  constructor(
    private readonly bins: number,
    /** values a bucket may hold to be collected instead of refined (tests make it tiny) */
    private readonly collectCap = COLLECT_CAP,
  ) {
    this.buckets.set(0, { prefix: [], wanted: [], counts: new Uint32Array(65536) });
  }

  /** Whether another pass over the same values is needed. */
  get needsPass(): boolean {
    return !this.done;
  }

  /** Number of finite values seen in the first pass. */
  get count(): number {
    return this.n;
  }

  /** Feed one finite value (non-finite values must be filtered out by the caller). */
  add(x: number): void {
    setKey(x);
    if (this.depth === 0) {
      this.n++;
      const c = (this.buckets.get(0) as Bucket).counts as Uint32Array;
      const d = keyHi >>> 16;
      c[d] = (c[d] as number) + 1;
      return;
    }
    if (this.firstDigit[keyHi >>> 16] === 0) return;
    let k = 0;
    for (let d = 0; d < this.depth; d++) k = k * 65536 + digit(d);
    const b = this.buckets.get(k);
    if (!b) return;
    if (b.values) b.values.push(x);
    else {
      const c = b.counts as Uint32Array;
      const d = digit(this.depth);
      c[d] = (c[d] as number) + 1;
    }
  }

  /** Close a pass: decide which buckets the next pass refines or collects. */
  endPass(): void {
    if (this.done) return;
    if (this.depth === 0) {
      this.wanted = edgeRanks(this.n, this.bins).map((rank) => ({ rank, within: rank }));
      const root = this.buckets.get(0) as Bucket;
      root.wanted = this.wanted;
    }
    const next = new Map<number, Bucket>();
    for (const b of this.buckets.values()) {
      if (b.values) {
        const sorted = Float64Array.from(b.values).sort();
        for (const w of b.wanted) w.value = sorted[w.within] as number;
        continue;
      }
      const counts = b.counts as Uint32Array;
      // split the bucket's wanted ranks over its next digit
      let below = 0;
      let d = 0;
      for (const w of [...b.wanted].sort((x, y) => x.within - y.within)) {
        while (below + (counts[d] as number) <= w.within) below += counts[d++] as number;
        w.within -= below;
        const prefix = [...b.prefix, d];
        if (prefix.length === DIGITS) {
          // every digit fixed: the bucket is one value, no pass needed
          const [a, c, e, f] = prefix as [number, number, number, number];
          w.value = valueOfKey(((a << 16) | c) >>> 0, ((e << 16) | f) >>> 0);
          continue;
        }
        // up to three 16-bit digits: the key stays an exact integer (< 2^53)
        const k = prefixKey(prefix);
        let child = next.get(k);
        if (!child) {
          child = { prefix, wanted: [] };
          if ((counts[d] as number) <= this.collectCap) child.values = [];
          else child.counts = new Uint32Array(65536);
          next.set(k, child);
        }
        child.wanted.push(w);
      }
    }
    this.depth++;
    this.buckets = next;
    this.firstDigit.fill(0);
    for (const b of next.values()) this.firstDigit[b.prefix[0] as number] = 1;
    this.done = next.size === 0;
  }

  /** Quantile edges, exactly as `quantileEdges` would give on all the values. */
  edges(): number[] {
    if (!this.done) throw new Error("ExactQuantiles: more passes needed");
    const byRank = new Map(this.wanted.map((w) => [w.rank, w.value as number]));
    return edgesFromOrderStatistics(this.n, (r) => byRank.get(r) as number, this.bins);
  }
}
