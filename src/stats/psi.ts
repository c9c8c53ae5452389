/** Population stability index Σ (p_i − q_i)·ln(p_i/q_i) of smoothed proportions (p current, q reference). */
export function psi(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    s += (pi - qi) * Math.log(pi / qi);
  }
  return s;
}
