// Drift thresholds learned from the reference (NannyML-style): draw windows of the size live
// traffic fills (expected rate × window) from the reference itself, compute each statistic of
// every draw against a reference of the reference's size drawn the same way, and take high
// percentiles of that no-drift distribution as the warning and critical levels.
// Both sides are drawn because both are samples of the same population: the live window (n
// events) and the reference itself (R rows). Comparing draws with the fixed reference would leave
// out the reference's own noise (~1/R), and at n ≫ R the levels would sit far below what stable
// traffic shows (measured: PSI p99.9 9e-5 one-sided vs 5.7e-3 two-sided at n = 360,000, R = 5,000).
// Resampling rows with replacement is, for binned statistics, resampling bin indices with the
// reference's bin counts: that is what is drawn (simple-statistics' sampleWithReplacement).
import { quantile, sampleWithReplacement } from "simple-statistics";
import type { Levels, Smoothing, StatLevels } from "../config/model.js";
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

export const DEFAULT_BOOTSTRAP = { resamples: 1000, percentiles: { warning: 99, critical: 99.9 }, seed: 1 };

/** Bin index of every reference observation: the population windows are drawn from. */
function population(reference: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let b = 0; b < reference.length; b++) {
    const c = reference[b] as number;
    for (let i = 0; i < c; i++) out.push(b);
  }
  return out;
}

/** Levels of PSI, KL and JS for windows of `size` events drawn from `reference` bin counts. */
export function bootstrapLevels(reference: ArrayLike<number>, size: number, o: BootstrapOptions): StatLevels {
  const pop = population(reference);
  if (pop.length === 0) throw new RangeError("the reference has no observations to draw from");
  if (!(size >= 1)) throw new RangeError(`window size must be at least 1 event, got ${size}`);
  const n = Math.round(size);
  const random = mulberry32(o.seed);
  const k = reference.length;
  const psi: number[] = [];
  const kl: number[] = [];
  const js: number[] = [];
  const counts = new Float64Array(k);
  const base = new Float64Array(k);
  const draw = (into: Float64Array, size: number) => {
    into.fill(0);
    for (const b of sampleWithReplacement(pop, size, random)) into[b] = (into[b] as number) + 1;
  };
  for (let r = 0; r < o.resamples; r++) {
    draw(counts, n);
    draw(base, pop.length);
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
