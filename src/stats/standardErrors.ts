// Standard errors of the quality metrics: how far the same metric on another sample of the same
// size would typically be (the band the dashboards draw is ± 2 of them). Binomial for shares,
// the delta method for ratios of counts; a macro average's assumes its classes independent.

/** SE of a share `p` of `n` trials (accuracy, precision, recall). */
export function shareStderr(p: number, n: number): number {
  return n > 0 && Number.isFinite(p) ? Math.sqrt(Math.max(p * (1 - p), 0) / n) : Number.NaN;
}

/**
 * SE of F1 = 2tp / (predicted + actual) by the delta method: given the joins that are a true
 * positive, false positive or false negative (S = tp + fp + fn), tp is binomial in S, and
 * Var(F1) = 4·tp·f·(tp + f) / (2tp + f)⁴ with f = fp + fn.
 */
export function f1Stderr(tp: number, predicted: number, actual: number): number {
  const f = predicted + actual - 2 * tp;
  const d = predicted + actual;
  if (!(d > 0)) return Number.NaN;
  return (2 * Math.sqrt(Math.max(tp * f * (tp + f), 0))) / (d * d);
}

/** SE of the mean of independent values with these SEs (a macro average). */
export function meanStderr(ses: readonly number[]): number {
  if (ses.length === 0) return Number.NaN;
  let s = 0;
  for (const x of ses) s += x * x;
  return Math.sqrt(s) / ses.length;
}
