// ROC AUC, exactly (sorted scores, ties counted half: scikit-learn's roc_auc_score) and from score
// histograms (mergeable: per bin, how many positives and negatives). A histogram cannot order a
// positive and a negative that share a bin, so it counts each such pair half, and its AUC differs
// from the exact one by at most half the share of such pairs:
//   |AUC_bins − AUC_exact| ≤ ½ Σ_b pos_b · neg_b / (P · N)
// (`bound` below; with B equal-frequency bins it is about 1/(2B) at worst, and far smaller when
// positives and negatives concentrate in different bins). The weights may be fractional: CBPE
// passes expected positives and negatives (docs/adr/0022-estimated-performance.md).

export interface BinnedAuc {
  /** NaN when there are no positives or no negatives */
  auc: number;
  /** the most the exact AUC of the same scores can differ by */
  bound: number;
  positives: number;
  negatives: number;
}

/** AUC from per-bin positives and negatives (bins in increasing score order). */
export function binnedAuc(
  pos: ArrayLike<number>,
  neg: ArrayLike<number>,
  from = 0,
  to = pos.length,
): BinnedAuc {
  let below = 0;
  let concordant = 0;
  let ties = 0;
  let p = 0;
  for (let b = from; b < to; b++) {
    const pb = pos[b] as number;
    const nb = neg[b] as number;
    concordant += pb * below;
    ties += pb * nb;
    below += nb;
    p += pb;
  }
  const pn = p * below;
  if (!(pn > 0)) return { auc: Number.NaN, bound: Number.NaN, positives: p, negatives: below };
  return { auc: (concordant + ties / 2) / pn, bound: ties / 2 / pn, positives: p, negatives: below };
}

/**
 * The exact AUC of `scores` with `positive[i]` telling the truth: the probability that a random
 * positive scores above a random negative, ties counted half (Mann–Whitney U / (P·N)).
 */
export function exactAuc(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean | number>,
  n = scores.length,
): number {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let below = 0;
  let concordant = 0;
  let p = 0;
  for (let i = 0; i < n; ) {
    // one group of equal scores
    let j = i;
    let pg = 0;
    let ng = 0;
    const s = scores[order[i] as number] as number;
    while (j < n && scores[order[j] as number] === s) {
      if (positive[order[j] as number]) pg++;
      else ng++;
      j++;
    }
    concordant += pg * below + (pg * ng) / 2;
    below += ng;
    p += pg;
    i = j;
  }
  const pn = p * below;
  return pn > 0 ? concordant / pn : Number.NaN;
}

/**
 * Standard error of an AUC `a` from `p` positives and `n` negatives (Hanley & McNeil 1982, eq. 2,
 * with Q1 = a/(2−a), Q2 = 2a²/(1+a)): the spread of the AUC of another sample of that size.
 */
export function aucStandardError(a: number, p: number, n: number): number {
  if (!(p > 0 && n > 0) || !Number.isFinite(a)) return Number.NaN;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (p - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (p * n);
  return Math.sqrt(Math.max(v, 0));
}
