/**
 * Jensen–Shannon distance with log base 2 on unsmoothed proportions, in [0, 1]
 * (= scipy.spatial.distance.jensenshannon(p, q, base=2)).
 */
export function jsDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    const m = (pi + qi) / 2;
    if (pi > 0) s += pi * Math.log2(pi / m);
    if (qi > 0) s += qi * Math.log2(qi / m);
  }
  // rounding can leave a tiny negative or a value a hair above 1
  const d = Math.sqrt(Math.min(1, Math.max(0, s / 2)));
  return d;
}
