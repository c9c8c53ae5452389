/** KL(current ‖ reference) = Σ p_i·ln(p_i/q_i) in nats, on smoothed proportions; 0·ln 0 = 0. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi > 0) s += pi * Math.log(pi / (q[i] as number));
  }
  return s;
}
