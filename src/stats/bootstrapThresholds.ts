// Drift thresholds learned from the reference (NannyML-style): draw windows of the size live
// traffic fills (expected rate × window) from the reference itself, compute each statistic of
// every draw against a reference of the reference's size drawn the same way, and take high
// percentiles of that no-drift distribution as the warning and critical levels.
// Both sides are drawn because both are samples of the same population: the live window (n
// events) and the reference itself (R rows). Comparing draws with the fixed reference would leave
// out the reference's own noise (~1/R), and at n ≫ R the levels would sit far below what stable
// traffic shows (measured: PSI p99.9 9e-5 one-sided vs 5.7e-3 two-sided at n = 360,000, R = 5,000).
// Resampling rows with replacement is, for binned statistics, drawing bin counts from the
// multinomial of the reference's proportions: that is what is drawn, bin by bin as conditional
// binomials (stdlib's BTPE binomial sampler), so a draw costs O(bins) whatever the window size —
// drawing rows one by one cost O(n) and made learned levels of a 1M-row batch take half a minute.
import binomial from "@stdlib/random-base-binomial";
import { quantile } from "simple-statistics";
import type { Levels, Smoothing, StatLevels } from "../config/model.js";
import { DEFAULT_BOOTSTRAP } from "./bootstrapDefaults.js";
import { driftValues } from "./drift.js";
import { mulberry32 } from "./random.js";

export interface BootstrapOptions {
  /** windows drawn per level set (1000: the 99.9th percentile is between the two largest) */
  resamples: number;
  /** percentiles (0-100) of the no-drift distribution taken as the levels */
  percentiles: Levels;
  smoothing: Smoothing;
  seed: number;
}

export { DEFAULT_BOOTSTRAP };

/** Counts of `size` observations over the bins, drawn from the multinomial of `p` (sums to 1). */
export function drawMultinomial(
  into: Float64Array,
  size: number,
  p: ArrayLike<number>,
  draw: (n: number, q: number) => number,
): void {
  let left = size;
  let mass = 1;
  let last = p.length - 1;
  while (last > 0 && !((p[last] as number) > 0)) last--;
  for (let b = 0; b < p.length; b++) {
    const pb = p[b] as number;
    if (left === 0 || pb <= 0) {
      into[b] = 0;
      continue;
    }
    // the last bin with mass takes what is left (rounding of the mass never loses an observation)
    const q = Math.min(1, pb / mass);
    const c = b === last || q >= 1 ? left : draw(left, q);
    into[b] = c;
    left -= c;
    mass -= pb;
  }
}

/** Levels of PSI, KL and JS for windows of `size` events drawn from `reference` bin counts. */
export function bootstrapLevels(reference: ArrayLike<number>, size: number, o: BootstrapOptions): StatLevels {
  let total = 0;
  for (let b = 0; b < reference.length; b++) total += reference[b] as number;
  if (!(total > 0)) throw new RangeError("the reference has no observations to draw from");
  if (!(size >= 1)) throw new RangeError(`window size must be at least 1 event, got ${size}`);
  const n = Math.round(size);
  const k = reference.length;
  const p = Array.from(reference, (c) => c / total);
  const sample = binomial.factory({ prng: mulberry32(o.seed) });
  const psi: number[] = [];
  const kl: number[] = [];
  const js: number[] = [];
  const counts = new Float64Array(k);
  const base = new Float64Array(k);
  for (let r = 0; r < o.resamples; r++) {
    drawMultinomial(counts, n, p, sample);
    drawMultinomial(base, total, p, sample);
    const d = driftValues(counts, base, o.smoothing);
    psi.push(d.psi);
    kl.push(d.kl);
    js.push(d.js);
  }
  const at = (xs: number[]): Levels => {
    const [warning, critical] = quantile(xs, [o.percentiles.warning / 100, o.percentiles.critical / 100]) as [
      number,
      number,
    ];
    // four significant digits: more would be noise of the draw, and rules stay readable
    return { warning: Number(warning.toPrecision(4)), critical: Number(critical.toPrecision(4)) };
  };
  return { psi: at(psi), kl: at(kl), js: at(js) };
}
