import type { Smoothing } from "../config/model.js";

/**
 * Proportions of `counts` under a smoothing method (README, Drift statistics):
 * laplace p_i = (c_i + α)/(N + kα); epsilon p_i = c_i/N with zeros replaced by ε (no renormalising).
 */
export function smoothedProportions(counts: ArrayLike<number>, smoothing: Smoothing): Float64Array {
  const k = counts.length;
  const out = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i] as number;
  if (smoothing.method === "laplace") {
    const a = smoothing.alpha;
    const denom = total + k * a;
    for (let i = 0; i < k; i++) out[i] = ((counts[i] as number) + a) / denom;
  } else {
    const eps = smoothing.epsilon;
    for (let i = 0; i < k; i++) {
      const p = total > 0 ? (counts[i] as number) / total : 0;
      out[i] = p === 0 ? eps : p;
    }
  }
  return out;
}

/** Unsmoothed proportions c_i/N (all zero when N is 0). */
export function proportions(counts: ArrayLike<number>): Float64Array {
  const k = counts.length;
  const out = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i] as number;
  if (total > 0) for (let i = 0; i < k; i++) out[i] = (counts[i] as number) / total;
  return out;
}
