/** Ranking metrics per the Home Depot protocol: gain = relevance − 1, unjudged = 0. */
export type Judgments = Map<string, Map<string, number>>;

export function ndcgAt(ranked: string[], gains: Map<string, number>, k: number): number | undefined {
  const ideal = [...gains.values()].filter((g) => g > 0).sort((a, b) => b - a);
  if (ideal.length === 0) return undefined;
  const dcg = (gs: number[]) => gs.slice(0, k).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return dcg(ranked.map((id) => gains.get(id) ?? 0)) / dcg(ideal);
}

export function reciprocalRank(ranked: string[], gains: Map<string, number>): number {
  const i = ranked.findIndex((id) => (gains.get(id) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function recallAt(ranked: string[], gains: Map<string, number>, k: number): number {
  const relevant = [...gains].filter(([, g]) => g > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

export interface RunMetrics {
  ndcg10: number;
  mrr: number;
  recall100: number;
  queries: number;
}

/** Means over the queries that have at least one positive gain. */
export function evaluateRun(run: Map<string, string[]>, judgments: Judgments): RunMetrics {
  let n = 0;
  let ndcg = 0;
  let mrr = 0;
  let recall = 0;
  for (const [qid, gains] of judgments) {
    const ranked = run.get(qid) ?? [];
    const v = ndcgAt(ranked, gains, 10);
    if (v === undefined) continue;
    n++;
    ndcg += v;
    mrr += reciprocalRank(ranked, gains);
    recall += recallAt(ranked, gains, 100);
  }
  return { ndcg10: ndcg / n, mrr: mrr / n, recall100: recall / n, queries: n };
}
