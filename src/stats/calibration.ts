// Calibration of a classifier's score for one class, learned per score bin from reference rows
// with targets: isotonic regression (the probability never falls as the score rises) by
// pool-adjacent-violators, weighted by the rows in each bin (Barlow et al. 1972; as scikit-learn's
// IsotonicRegression on the bins' rates). CBPE reads P(class | bin) from it
// (docs/adr/0022-estimated-performance.md).

/**
 * Per bin, the isotonic (non-decreasing) fit of `positives[b] / counts[b]` weighted by
 * `counts[b]`. A bin without reference rows takes the value of the nearest bin below it that has
 * some (the first ones, of the nearest above), so the result stays non-decreasing.
 */
export function isotonicBins(positives: ArrayLike<number>, counts: ArrayLike<number>): number[] {
  const k = counts.length;
  // blocks of pooled bins: value (weighted mean), weight, how many non-empty bins
  const value: number[] = [];
  const weight: number[] = [];
  const size: number[] = [];
  for (let b = 0; b < k; b++) {
    const w = counts[b] as number;
    if (!(w > 0)) continue;
    value.push((positives[b] as number) / w);
    weight.push(w);
    size.push(1);
    // pool while the last two blocks violate the order
    while (value.length > 1 && (value[value.length - 2] as number) > (value[value.length - 1] as number)) {
      const w2 = weight.pop() as number;
      const v2 = value.pop() as number;
      const s2 = size.pop() as number;
      const i = value.length - 1;
      const w1 = weight[i] as number;
      value[i] = ((value[i] as number) * w1 + v2 * w2) / (w1 + w2);
      weight[i] = w1 + w2;
      size[i] = (size[i] as number) + s2;
    }
  }
  const fitted: number[] = [];
  value.forEach((v, i) => {
    for (let s = 0; s < (size[i] as number); s++) fitted.push(v);
  });
  const out = new Array<number>(k);
  let j = 0;
  let last = fitted[0] ?? Number.NaN;
  for (let b = 0; b < k; b++) {
    if ((counts[b] as number) > 0) last = fitted[j++] as number;
    out[b] = last;
  }
  return out;
}
