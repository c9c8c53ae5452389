// The ROC AUC by its definition, written independently of src/stats/rocAuc.ts, for tests to check
// the agent's AUCs against.

/** O(P·N) pairwise AUC: every positive against every negative, ties half (scikit-learn's roc_auc_score). */
export function pairwiseAuc(scores: number[], pos: boolean[]): number {
  let num = 0;
  let pn = 0;
  scores.forEach((si, i) => {
    if (!pos[i]) return;
    scores.forEach((sj, j) => {
      if (pos[j]) return;
      pn++;
      num += si > sj ? 1 : si === sj ? 0.5 : 0;
    });
  });
  return pn > 0 ? num / pn : Number.NaN;
}
