/**
 * Orders a match set for one page. Relevance takes the BM25F top candidates and, when a ranker is
 * loaded, re-ranks its depth with the model; other sorts order by the column (missing values
 * last), then by relevance. Only the first `need` results are ever ordered: O(n log need).
 */
import type { SearchContext, SortOrder } from '../types.ts';
import { extractFeatures } from '../ranker/features.ts';
import type { Candidates, EmbeddedIndex } from './engine.ts';
import { topKPositions } from './topk.ts';

export interface Ordered {
  doc: number;
  score: number;
}

function sortKey(index: EmbeddedIndex, sort: SortOrder): ((d: number) => number) | undefined {
  const c = index.cols;
  const orMin = (v: number) => (Number.isNaN(v) ? -Infinity : v);
  switch (sort) {
    case 'price_asc':
      return (d) => orMin(-(c.price[d] as number));
    case 'price_desc':
      return (d) => orMin(c.price[d] as number);
    case 'rating':
      return (d) => orMin(c.rating[d] as number);
    case 'newest':
      return (d) => orMin(c.createdAt[d] as number);
    case 'bestselling':
      return (d) => orMin(c.sales[d] as number);
    case 'relevance':
      return undefined;
  }
}

/** Sort keys of the current match set, reused across queries (up to 8 bytes per matching document). */
let sortKeys = new Float64Array(0);

export function sortMatches(
  index: EmbeddedIndex,
  found: Candidates,
  sort: SortOrder,
  need: number,
  context: SearchContext,
): Ordered[] {
  const n = found.docs.length;
  const rel = (i: number) => found.scores[i] as number;
  const key = sortKey(index, sort);
  if (key) {
    if (sortKeys.length < n) sortKeys = new Float64Array(Math.ceil(n * 1.25));
    const keys = sortKeys;
    for (let i = 0; i < n; i++) keys[i] = key(found.docs[i] as number);
    const top = topKPositions(keys, n, need);
    top.sort((a, b) => (keys[b] as number) - (keys[a] as number) || rel(b) - rel(a) || a - b);
    return top.map((i) => ({ doc: found.docs[i] as number, score: rel(i) }));
  }
  const ranker = index.options.ranker;
  const depth = ranker && found.groups.length > 0 ? ranker.depth : 0;
  const top = topKPositions(found.scores, n, Math.max(need, depth));
  const ordered = top.map((i) => ({ doc: found.docs[i] as number, score: rel(i) }));
  if (!ranker || depth === 0 || ordered.length < 2) return ordered;
  const head = ordered.slice(0, depth);
  const scoreOf = new Map(head.map((o) => [o.doc, o.score]));
  const rows = extractFeatures(
    index,
    found.groups,
    head.map((o) => o.doc),
    (d) => scoreOf.get(d) ?? 0,
    context,
  );
  const model = ranker.score(rows);
  const reranked = head
    .map((o, i) => ({ doc: o.doc, score: model[i] as number, pos: i }))
    .sort((a, b) => b.score - a.score || a.pos - b.pos)
    .map(({ doc, score }) => ({ doc, score }));
  return [...reranked, ...ordered.slice(depth)];
}
