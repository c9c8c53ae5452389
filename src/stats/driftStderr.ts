// Standard errors of PSI, KL and JS: how much the statistic of another window of the same size
// would differ, the reference held fixed (it is the profile). Two parts, added as variances:
// - the delta method around the window's proportions: with π the window's proportions from n
//   events, Var ≈ (Σ π_i g_i² − (Σ π_i g_i)²) · s, g the statistic's gradient in the window's
//   proportions and s the variance scale of one proportion (1/n; n/(n + kα)² under laplace);
// - the floor when the window matches the reference, where that gradient vanishes and the
//   statistic is a scaled chi-square with k − 1 degrees of freedom: PSI ≈ χ²/n, KL ≈ χ²/(2n),
//   JS distance ≈ √(χ²/(8n·ln 2)); so Var = 2(k − 1)/n², (k − 1)/(2n²), and ≈ ½/(8n·ln 2) (the
//   chi distribution's variance tends to ½).
// The gradient at the window's own (noisy) proportions overstates the delta-method part by about
// (1 + ρ) floors, ρ = (the statistic's mean with no drift) / (its value), at most 1: two floors
// near no drift, one when the drift dwarfs the noise. That much is taken off it first (never below
// 0). With drift the standard error comes out within ~7 % of the simulated spread; with none it
// errs wide, by 0–27 % (small windows worst), as ρ is capped at 1 in windows that land below
// the no-drift mean: a band a little too wide, not narrower in the probes.
// Checked against the spread of simulated windows (test/unit/driftStderr.test.ts).
import type { Smoothing } from "../config/model.js";
import { proportions, smoothedProportions } from "./smoothing.js";

export interface DriftStderr {
  psi: number;
  kl: number;
  js: number;
}

/** Standard errors of the drift values of `current` counts against `reference` counts. */
export function driftStderr(
  current: ArrayLike<number>,
  reference: ArrayLike<number>,
  smoothing: Smoothing,
): DriftStderr {
  const k = current.length;
  let n = 0;
  for (let i = 0; i < k; i++) n += current[i] as number;
  if (!(n > 0)) return { psi: Number.NaN, kl: Number.NaN, js: Number.NaN };
  const pi = proportions(current);
  const p = smoothedProportions(current, smoothing);
  const q = smoothedProportions(reference, smoothing);
  const scale = smoothing.method === "laplace" ? n / (n + k * smoothing.alpha) ** 2 : 1 / n;
  let support = 0;
  let psi1 = 0;
  let psi2 = 0;
  let kl1 = 0;
  let kl2 = 0;
  for (let i = 0; i < k; i++) {
    const w = pi[i] as number;
    const pv = p[i] as number;
    const qv = q[i] as number;
    const lr = Math.log(pv / qv);
    const gp = lr + 1 - qv / pv;
    const gk = lr + 1;
    psi1 += w * gp;
    psi2 += w * gp * gp;
    kl1 += w * gk;
    kl2 += w * gk * gk;
    if ((reference[i] as number) > 0) support++;
  }
  const df = Math.max((smoothing.method === "laplace" ? k : support) - 1, 0);
  const v = driftValuesOf(p, q);
  // with no drift: PSI ≈ χ²/n (mean (k−1)/n), KL ≈ χ²/(2n)
  const psiVar = corrected((psi2 - psi1 * psi1) * scale, (2 * df) / (n * n), df / n, v.psi);
  const klVar = corrected((kl2 - kl1 * kl1) * scale, df / (2 * n * n), df / (2 * n), v.kl);
  return { psi: Math.sqrt(psiVar), kl: Math.sqrt(klVar), js: jsStderr(pi, proportions(reference), n, df) };
}

/** JS distance d = √JSD (base 2, unsmoothed): the delta method on JSD over 4·JSD, plus the floor. */
function jsStderr(p: Float64Array, q: Float64Array, n: number, df: number): number {
  let jsd = 0;
  let g1 = 0;
  let g2 = 0;
  for (let i = 0; i < p.length; i++) {
    const pv = p[i] as number;
    const qv = q[i] as number;
    const m = (pv + qv) / 2;
    if (pv > 0) jsd += (pv * Math.log2(pv / m)) / 2;
    if (qv > 0) jsd += (qv * Math.log2(qv / m)) / 2;
    // ∂JSD/∂p_i = ½ log2(p_i / m_i); a bin the window does not have has no spread
    if (pv > 0) {
      const g = Math.log2(pv / m) / 2;
      g1 += pv * g;
      g2 += pv * g * g;
    }
  }
  const delta = jsd > 0 ? Math.max(g2 - g1 * g1, 0) / n / (4 * jsd) : 0;
  const floor = df > 0 ? 0.5 / (8 * n * Math.LN2) : 0;
  // with no drift JSD ≈ χ²/(8n·ln 2), mean (k−1)/(8n·ln 2)
  return Math.sqrt(corrected(delta, floor, df / (8 * n * Math.LN2), jsd));
}

/** The delta-method variance less its noise, plus the no-drift floor (see the top of the file). */
function corrected(delta: number, floor: number, nullMean: number, value: number): number {
  const rho = value > 0 ? Math.min(1, nullMean / value) : 1;
  return Math.max(delta - (1 + rho) * floor, 0) + floor;
}

/** PSI and KL of smoothed proportions (as drift.ts computes them). */
function driftValuesOf(p: Float64Array, q: Float64Array): { psi: number; kl: number } {
  let psi = 0;
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const l = Math.log((p[i] as number) / (q[i] as number));
    psi += ((p[i] as number) - (q[i] as number)) * l;
    kl += (p[i] as number) * l;
  }
  return { psi, kl };
}
