// Drift levels that fit the sample size: where a window's (or a batch's) size is not known in
// advance, its levels follow its actual size. Under no drift, with n current and R reference
// observations over k bins (k₀ of them holding reference values), the binned statistics are
// second-order approximations of Pearson's statistic, whose null distribution is chi-square with
// k₀ − 1 degrees of freedom scaled by (1/n + 1/R) (two samples of one population):
//   PSI ≈ Σ (p − q)²/q            ≈ (1/n + 1/R) · χ²
//   KL  ≈ ½ Σ (p − q)²/q          ≈ ½ (1/n + 1/R) · χ²
//   JS² ≈ Σ (p − q)²/(8 m ln 2)   ≈ (1/n + 1/R) · χ² / (8 ln 2)   (JS distance in bits, m = (p+q)/2)
// The levels are those statistics at the 99th (warning) and 99.9th (critical) percentile of the
// chi-square, by the Wilson–Hilferty approximation — a closed form the generated recording rules
// compute in PromQL with the same constants, so the alerts and `infermon drift` agree (ADR 0014).
import type { Levels, Statistic, StatLevels } from "../config/model.js";

/** Standard normal quantiles of the warning (p99) and critical (p99.9) percentiles. */
export const NULL_Z = { warning: 2.5758293035489004, critical: 3.090232306167813 } as const;
export const NULL_PERCENTILES = { warning: 99, critical: 99.9 } as const;

/** Chi-square quantile with `df` degrees of freedom at the normal quantile `z` (Wilson–Hilferty). */
export function chiSquareQuantile(df: number, z: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Degrees of freedom of a slot: its bins holding reference observations, minus one (at least 1). */
export function degreesOfFreedom(reference: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < reference.length; i++) if ((reference[i] as number) > 0) k++;
  return Math.max(1, k - 1);
}

/** A statistic's null quantile for a chi-square quantile `chi2` and the two sample sizes. */
export function statisticAt(stat: Statistic, chi2: number, n: number, r: number): number {
  const scale = 1 / n + 1 / r;
  switch (stat) {
    case "psi":
      return scale * chi2;
    case "kl":
      return (scale * chi2) / 2;
    case "js":
      return Math.sqrt((scale * chi2) / (8 * Math.LN2));
  }
}

/** Warning and critical levels of `stat` for `n` current observations against `reference` counts. */
export function sampleSizeLevels(stat: Statistic, n: number, reference: ArrayLike<number>): Levels {
  let r = 0;
  for (let i = 0; i < reference.length; i++) r += reference[i] as number;
  const df = degreesOfFreedom(reference);
  return {
    warning: statisticAt(stat, chiSquareQuantile(df, NULL_Z.warning), n, r),
    critical: statisticAt(stat, chiSquareQuantile(df, NULL_Z.critical), n, r),
  };
}

/** The levels of all three statistics at `n` (the report's levels in force). */
export function sampleSizeStatLevels(n: number, reference: ArrayLike<number>): StatLevels {
  return {
    psi: sampleSizeLevels("psi", n, reference),
    kl: sampleSizeLevels("kl", n, reference),
    js: sampleSizeLevels("js", n, reference),
  };
}
