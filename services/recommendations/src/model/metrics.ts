// Leave-last-out ranking metrics: hit rate and NDCG at a cut-off, for one target per user.

/** rank is 1-based; 0 (or anything above k) means the target was not in the top k. */
export function hitAt(rank: number, k: number): number {
  return rank >= 1 && rank <= k ? 1 : 0;
}

/** With a single relevant item the ideal DCG is 1, so NDCG is 1 / log2(rank + 1). */
export function ndcgAt(rank: number, k: number): number {
  return rank >= 1 && rank <= k ? 1 / Math.log2(rank + 1) : 0;
}

export interface RankingMetrics {
  users: number;
  hr10: number;
  ndcg10: number;
  hr20: number;
  ndcg20: number;
}

export function summarise(ranks: ArrayLike<number>): RankingMetrics {
  let hr10 = 0;
  let ndcg10 = 0;
  let hr20 = 0;
  let ndcg20 = 0;
  const n = ranks.length;
  for (let i = 0; i < n; i++) {
    const r = ranks[i]!;
    hr10 += hitAt(r, 10);
    ndcg10 += ndcgAt(r, 10);
    hr20 += hitAt(r, 20);
    ndcg20 += ndcgAt(r, 20);
  }
  const d = Math.max(1, n);
  return { users: n, hr10: hr10 / d, ndcg10: ndcg10 / d, hr20: hr20 / d, ndcg20: ndcg20 / d };
}
