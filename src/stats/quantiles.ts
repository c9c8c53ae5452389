/**
 * Inner bin edges at the i/bins quantiles (linear interpolation, numpy's default) of `values`,
 * rounded to 6 significant digits (readable bin labels; bins still exact since the edges are stored),
 * duplicates removed. Returns [] when there are no values or every value is the same.
 */
export function quantileEdges(values: Float64Array | number[], bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  return edgesFromOrderStatistics(sorted.length, (rank) => sorted[rank] as number, bins);
}

/** The order statistics (0-based ranks into the sorted values) `edgesFromOrderStatistics` reads. */
export function edgeRanks(n: number, bins: number): number[] {
  const ranks = new Set<number>();
  if (n === 0 || bins < 2) return [];
  for (let i = 1; i < bins; i++) {
    const lo = Math.floor(((n - 1) * i) / bins);
    ranks.add(lo);
    ranks.add(Math.min(lo + 1, n - 1));
  }
  return [...ranks].sort((a, b) => a - b);
}

/**
 * Quantile edges from `n` sorted values given only the order statistics at `edgeRanks(n, bins)`:
 * the same numbers whether they come from a sorted array or from an exact selection over a stream.
 */
export function edgesFromOrderStatistics(n: number, at: (rank: number) => number, bins: number): number[] {
  if (n === 0 || bins < 2) return [];
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const pos = ((n - 1) * i) / bins;
    const lo = Math.floor(pos);
    const frac = pos - lo;
    const a = at(lo);
    const b = at(Math.min(lo + 1, n - 1));
    const q = roundEdge(frac === 0 || a === b ? a : a + (b - a) * frac);
    if (!Number.isFinite(q)) continue;
    if (edges.length === 0 || q > (edges[edges.length - 1] as number)) edges.push(q);
  }
  return edges;
}

/** The `k` most frequent values, most frequent first, ties broken by value for determinism. */
export function topK(counts: ReadonlyMap<string, number>, k: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k)
    .map(([v]) => v);
}

function roundEdge(x: number): number {
  return Number(x.toPrecision(6));
}
