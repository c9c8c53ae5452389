// Exact order statistics of a stream of finite doubles in bounded memory, for quantile edges of
// data of any size (docs/adr/0007-batch-engine.md). Radix selection on each value's 64-bit
// order-preserving key: pass one counts values per leading-digit bucket and finds the buckets
// holding the wanted ranks; each further pass either collects the few values of those buckets
// (sorted, exact) or counts the next digit inside them. Memory is a few 256 KB tables per wanted
// rank, never the values; most data needs two or three passes.
import { edgeRanks, edgesFromOrderStatistics } from "./quantiles.js";

/** Values a bucket may hold to be collected and sorted instead of refined by another pass. */
const COLLECT_CAP = 1 << 15;
const DIGITS = 4;

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

/** The k-th smallest of `a` (0-based), reordering `a` (quickselect, median of three). */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three to the middle, then Hoare partition around it
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo);
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo);
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

interface Wanted {
  /** rank among all values */
  rank: number;
  /** rank inside its current bucket */
  within: number;
  value?: number;
}

/** A bucket (values sharing the first `prefix.length` digits) holding wanted ranks. */
interface Bucket {
  prefix: number[];
  wanted: Wanted[];
  /** counts of the next digit, or the values themselves when few */
  counts?: Uint32Array;
  /** the bucket's values (its size is known from the previous pass) */
  values?: Float64Array;
  filled?: number;
}

export interface ExactQuantilesOptions {
  /** bits of the first digit (16..20): a finer first pass often saves a pass (4 << bits bytes) */
  firstBits?: number;
  /** values a bucket may hold to be collected instead of refined (tests make it tiny) */
  collectCap?: number;
}

export class ExactQuantiles {
  private n = 0;
  private depth = 0;
  /** the key read as four digits: firstBits, 32 - firstBits, 16 and 16 bits */
  private readonly widths: readonly number[];
  private readonly shift: number;
  private readonly collectCap: number;
  /** buckets of the current pass: by first digit (depth 1) or by prefix key (depth 2, 3) */
  private buckets: Bucket[] = [];
  private byFirst: Int32Array;
  private byPrefix = new Map<number, Bucket>();
  private root: Uint32Array | undefined;
  private wanted: Wanted[] = [];
  private done = false;

  constructor(
    private readonly bins: number,
    opts: ExactQuantilesOptions = {},
  ) {
    const first = Math.max(16, Math.min(20, opts.firstBits ?? 16));
    this.widths = [first, 32 - first, 16, 16];
    this.shift = 32 - first;
    this.collectCap = opts.collectCap ?? COLLECT_CAP;
    this.root = new Uint32Array(1 << first);
    this.byFirst = new Int32Array(0);
  }

  /** Whether another pass over the same values is needed. */
  get needsPass(): boolean {
    return !this.done;
  }

  /** Number of finite values seen in the first pass. */
  get count(): number {
    return this.n;
  }

  private digit(d: number): number {
    return d === 0
      ? keyHi >>> this.shift
      : d === 1
        ? keyHi & ((1 << this.shift) - 1)
        : d === 2
          ? keyLo >>> 16
          : keyLo & 0xffff;
  }

  // prefixes of up to three digits (48 bits) are exact integers
  private prefixKey(p: readonly number[]): number {
    const hi = (((p[0] as number) << this.shift) | (p[1] as number)) >>> 0;
    return p.length === 2 ? hi : hi * 65536 + (p[2] as number);
  }

  /** Feed one finite value (non-finite values must be filtered out by the caller). */
  add(x: number): void {
    setKey(x);
    if (this.depth === 0) {
      this.n++;
      const c = this.root as Uint32Array;
      const d = keyHi >>> this.shift;
      c[d] = (c[d] as number) + 1;
      return;
    }
    const first = this.byFirst[keyHi >>> this.shift] as number;
    if (first === 0) return;
    let b: Bucket | undefined;
    if (this.depth === 1) b = this.buckets[first - 1];
    else b = this.byPrefix.get(this.depth === 2 ? keyHi : keyHi * 65536 + (keyLo >>> 16));
    if (!b) return;
    if (b.values) b.values[(b.filled as number)++] = x;
    else {
      const c = b.counts as Uint32Array;
      const d = this.digit(this.depth);
      c[d] = (c[d] as number) + 1;
    }
  }

  /** Close a pass: decide which buckets the next pass refines or collects. */
  endPass(): void {
    if (this.done) return;
    let current: Bucket[] = this.buckets;
    if (this.depth === 0) {
      this.wanted = edgeRanks(this.n, this.bins).map((rank) => ({ rank, within: rank }));
      current = [{ prefix: [], wanted: this.wanted, counts: this.root as Uint32Array }];
      this.root = undefined;
    }
    const next: Bucket[] = [];
    const byPrefix = new Map<string, Bucket>();
    for (const b of current) {
      if (b.values) {
        const v = b.values.subarray(0, b.filled);
        for (const w of b.wanted) w.value = select(v, w.within);
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
          w.value = valueOfKey(((a << this.shift) | c) >>> 0, ((e << 16) | f) >>> 0);
          continue;
        }
        const k = prefix.join(",");
        let child = byPrefix.get(k);
        if (!child) {
          child = { prefix, wanted: [] };
          const size = counts[d] as number;
          if (size <= this.collectCap) {
            child.values = new Float64Array(size);
            child.filled = 0;
          } else child.counts = new Uint32Array(1 << (this.widths[prefix.length] as number));
          byPrefix.set(k, child);
          next.push(child);
        }
        child.wanted.push(w);
      }
    }
    this.depth++;
    this.buckets = next;
    if (this.byFirst.length === 0) this.byFirst = new Int32Array(1 << (this.widths[0] as number));
    else this.byFirst.fill(0);
    this.byPrefix = new Map();
    next.forEach((b, i) => {
      this.byFirst[b.prefix[0] as number] = this.depth === 1 ? i + 1 : 1;
      if (this.depth > 1) this.byPrefix.set(this.prefixKey(b.prefix), b);
    });
    this.done = next.length === 0;
  }

  /** Quantile edges, exactly as `quantileEdges` would give on all the values. */
  edges(): number[] {
    if (!this.done) throw new Error("ExactQuantiles: more passes needed");
    const byRank = new Map(this.wanted.map((w) => [w.rank, w.value as number]));
    return edgesFromOrderStatistics(this.n, (r) => byRank.get(r) as number, this.bins);
  }
}
