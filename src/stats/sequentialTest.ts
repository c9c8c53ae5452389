// An always-valid test of "is this variant worse than the control?" for A/B variants
// (docs/adr/0013-sequential-test.md): the mixture sequential probability ratio test (mSPRT) of
// Johari, Koomen, Pekelis & Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests"
// (Operations Research 70(3), 2022), on the difference of the two arms' mean losses, with a normal
// mixing distribution N(0, τ²). Its confidence set is the normal-mixture confidence sequence of
// Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
// sequences" (Annals of Statistics 49(2), 2021), eq. (14): valid at every sample size at once, so a
// dashboard or an alert rule may look at it as often as it likes.
//
// For a difference of means Δ̂ whose variance is V, estimated as the larger of the unpooled
// σ̂²_c/n_c + σ̂²_v/n_v and the pooled σ̂²_p·(1/n_c + 1/n_v) (under "no difference" both arms share
// one variance; an arm that has not seen its first rare error yet would otherwise claim a variance
// of 0 and make an A/A difference look certain — the A/A simulation caught it at a 10 % split):
//   log Λ(θ) = ½·ln(V / (V + τ²)) + τ²·(Δ̂ − θ)² / (2·V·(V + τ²))
//   reject θ when Λ(θ) ≥ 1/α, so the confidence sequence is
//   Δ̂ ± sqrt( V·(V + τ²)/τ² · (2·ln(1/α) + ln((V + τ²)/V)) )
// and the always-valid p-value of θ = 0 is min(1, 1/Λ(0)). The generated recording rules
// (src/generate/variants.ts) compute the same from the agent's counters; tests hold them equal.
// Pure: no I/O, no clock.

/** Count, sum and sum of squares of one arm's observations (a loss per request or per label). */
export interface Arm {
  n: number;
  sum: number;
  squares: number;
}

export interface TestOptions {
  /** mixing scale τ: the size of difference the test is tuned to find quickly (metric units) */
  tau: number;
  /** the false-positive level over the whole, continuously watched, experiment */
  alpha: number;
  /** observations each arm needs before anything is said (the normal approximation) */
  minSamples: number;
}

export interface TestResult {
  /** mean(variant) − mean(control): positive = the variant loses more */
  difference: number;
  /** the confidence sequence's bounds of the true difference */
  lower: number;
  upper: number;
  /** the always-valid p-value of "no difference" */
  pValue: number;
  /** log Λ(0), the mixture likelihood ratio of a difference against none */
  logLikelihoodRatio: number;
  /** V, the estimated variance of `difference` */
  variance: number;
}

export const emptyArm = (): Arm => ({ n: 0, sum: 0, squares: 0 });

/** Add one observation to an arm. */
export function observe(arm: Arm, x: number): void {
  arm.n++;
  arm.sum += x;
  arm.squares += x * x;
}

/** Unbiased sample variance from the sums (0 when rounding makes it negative). */
export function sampleVariance(a: Arm): number {
  if (a.n < 2) return 0;
  return Math.max(0, (a.squares - (a.sum * a.sum) / a.n) / (a.n - 1));
}

/**
 * The test of the variant against the control, or undefined while either arm has fewer than
 * `minSamples` observations or neither varies (nothing can be said yet: inconclusive).
 */
export function mixtureTest(control: Arm, variant: Arm, o: TestOptions): TestResult | undefined {
  if (control.n < o.minSamples || variant.n < o.minSamples || control.n < 2 || variant.n < 2)
    return undefined;
  const vc = sampleVariance(control);
  const vv = sampleVariance(variant);
  const pooled = ((control.n - 1) * vc + (variant.n - 1) * vv) / (control.n + variant.n - 2);
  const v = Math.max(vc / control.n + vv / variant.n, pooled * (1 / control.n + 1 / variant.n));
  if (!(v > 0)) return undefined;
  const t2 = o.tau * o.tau;
  const difference = variant.sum / variant.n - control.sum / control.n;
  const half = Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / o.alpha) + Math.log((v + t2) / v)));
  const logLikelihoodRatio =
    0.5 * Math.log(v / (v + t2)) + (t2 * difference * difference) / (2 * v * (v + t2));
  return {
    difference,
    lower: difference - half,
    upper: difference + half,
    pValue: Math.min(1, Math.exp(-logLikelihoodRatio)),
    logLikelihoodRatio,
    variance: v,
  };
}

/** The variant is significantly worse: its loss is higher than the control's for every θ in the sequence. */
export const significantlyWorse = (r: TestResult | undefined): boolean => r !== undefined && r.lower > 0;
