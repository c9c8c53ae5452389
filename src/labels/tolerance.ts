// When a regression prediction counts as correct (labels.tolerance): within an absolute plus a
// relative error of the true value, as numpy.isclose(prediction, truth, rtol, atol) decides.

export interface Tolerance {
  absolute: number;
  relative: number;
}

/** |prediction − truth| ≤ absolute + relative × |truth|; false for a non-finite value. */
export function withinTolerance(prediction: number, truth: number, t: Tolerance): boolean {
  return Math.abs(prediction - truth) <= t.absolute + t.relative * Math.abs(truth);
}
