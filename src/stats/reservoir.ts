/**
 * Uniform fixed-size sample of a stream (Algorithm R) with a seeded PRNG, so a reference profile
 * built twice from the same file is identical. Exact when the stream fits in the reservoir.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;
  private state: number;

  constructor(
    readonly capacity: number,
    seed = 0x9e3779b9,
  ) {
    this.values = new Float64Array(capacity);
    this.state = seed >>> 0 || 1;
  }

  add(x: number): void {
    if (this.seen < this.capacity) {
      this.values[this.seen] = x;
    } else {
      const j = Math.floor(this.random() * (this.seen + 1));
      if (j < this.capacity) this.values[j] = x;
    }
    this.seen++;
  }

  get count(): number {
    return this.seen;
  }

  sample(): Float64Array {
    return this.values.subarray(0, Math.min(this.seen, this.capacity));
  }

  // mulberry32: small, fast, good enough for sampling
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
