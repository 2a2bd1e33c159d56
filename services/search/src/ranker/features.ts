/**
 * Ranker features for (query, candidate) pairs. Text features come from the postings (per-field
 * term frequencies, found by binary search since postings are sorted) and from re-analysing the
 * candidate's title for positions (adjacency, proximity, head noun); business features from the
 * document. Only the top candidates are featurised, so this cost is bounded by the ranker depth.
 */
import { isNumericTerm } from '../analyzer.ts';
import type { TermGroup } from '../expander.ts';
import type { EmbeddedIndex } from '../embedded/engine.ts';
import { FIELD_COUNT } from '../embedded/fields.ts';
import { fieldBm25 } from '../embedded/scorer.ts';
import type { PostingList } from '../embedded/postings.ts';
import type { SearchContext, SearchDocument } from '../types.ts';

export const FEATURES = [
  'bm25f',
  'bm25f_rel',
  'bm25_title',
  'bm25_brand',
  'bm25_category',
  'bm25_attributes',
  'bm25_description',
  'coverage',
  'title_coverage_exact',
  'title_coverage_weighted',
  'numbers_missing',
  'bigrams_adjacent',
  'proximity',
  'head_noun_in_title',
  'first_word_in_title',
  'query_phrase_in_title',
  'title_length',
  'first_match_position',
  'title_precision',
  'groups_unmatched',
  'popularity',
  'sales',
  'rating',
  'in_stock',
  'freshness',
  'recent_category',
] as const;
export type FeatureName = (typeof FEATURES)[number];
const F = Object.fromEntries(FEATURES.map((n, i) => [n, i])) as Record<FeatureName, number>;

const DAY = 86_400_000;

function tfIn(list: PostingList | undefined, doc: number): Uint8Array | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list.ids[mid] as number;
    if (v === doc) return list.tfs.subarray(mid * FIELD_COUNT, (mid + 1) * FIELD_COUNT);
    if (v < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

interface QueryShape {
  counting: TermGroup[];
  exact: string[];
  altTerms: Map<string, number>[];
}

function shapeOf(index: EmbeddedIndex, groups: TermGroup[]): QueryShape {
  const counting = groups.filter((g) => g.counts);
  const altTerms = counting.map(
    (g) => new Map(g.alts.map((a) => [index.dict.terms[a.term] as string, a.weight])),
  );
  return { counting, exact: counting.map((g) => g.text), altTerms };
}

export function extractFeatures(
  index: EmbeddedIndex,
  groups: TermGroup[],
  docs: number[],
  baseScore: (d: number) => number,
  context: SearchContext,
): Float64Array[] {
  const shape = shapeOf(index, groups);
  const maxScore = Math.max(1e-9, ...docs.map(baseScore));
  const now = context.now ?? Date.now();
  const avg = index.avgFieldLen;
  return docs.map((d) => {
    const x = new Float64Array(FEATURES.length);
    x[F.bm25f] = baseScore(d);
    x[F.bm25f_rel] = baseScore(d) / maxScore;
    fieldScores(index, groups, avg, d, x);
    titleFeatures(index, shape, d, x);
    businessFeatures(index.docs[d] as SearchDocument, context, now, x);
    return x;
  });
}

function fieldScores(
  index: EmbeddedIndex,
  groups: TermGroup[],
  avg: number[],
  d: number,
  x: Float64Array,
): void {
  const p = index.options.bm25f;
  let covered = 0;
  let counting = 0;
  for (const g of groups) {
    if (g.counts) counting++;
    const best = new Float64Array(FIELD_COUNT);
    let any = false;
    for (const alt of g.alts) {
      const tfs = tfIn(index.postings[alt.term], d);
      if (!tfs) continue;
      any = true;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const len = index.fieldLen[d * FIELD_COUNT + f] as number;
        const s =
          alt.weight *
          fieldBm25(
            tfs[f] as number,
            len,
            avg[f] as number,
            index.df[alt.term] ?? 0,
            index.liveDocs,
            p.k1,
            p.b[f] as number,
          );
        if (s > (best[f] as number)) best[f] = s;
      }
    }
    for (let f = 0; f < FIELD_COUNT; f++)
      x[F.bm25_title + f] = (x[F.bm25_title + f] as number) + (best[f] as number);
    if (any && g.counts) covered++;
  }
  x[F.coverage] = counting > 0 ? covered / counting : 0;
  x[F.groups_unmatched] = counting - covered;
}

function titleFeatures(index: EmbeddedIndex, q: QueryShape, d: number, x: Float64Array): void {
  const title = index.titleTokens(d);
  const n = q.counting.length;
  x[F.title_length] = Math.log1p(title.length);
  if (n === 0 || title.length === 0) return;
  const pos = q.altTerms.map((alts) => title.findIndex((t) => alts.has(t)));
  const exactPos = q.exact.map((t) => title.indexOf(t));
  let weighted = 0;
  q.altTerms.forEach((alts, i) => {
    if ((pos[i] as number) >= 0)
      weighted += Math.max(...title.filter((t) => alts.has(t)).map((t) => alts.get(t) as number));
  });
  x[F.title_coverage_exact] = exactPos.filter((p) => p >= 0).length / n;
  x[F.title_coverage_weighted] = weighted / n;
  x[F.numbers_missing] = q.exact.filter((t, i) => isNumericTerm(t) && (exactPos[i] as number) < 0).length;
  let adjacent = 0;
  for (let i = 0; i + 1 < n; i++) {
    const a = pos[i] as number;
    if (a >= 0 && q.altTerms[i + 1]?.has(title[a + 1] ?? '')) adjacent++;
  }
  x[F.bigrams_adjacent] = n > 1 ? adjacent / (n - 1) : 0;
  const found = pos.filter((p) => p >= 0);
  if (found.length > 0) {
    const span = Math.max(...found) - Math.min(...found) + 1;
    x[F.proximity] = found.length / span;
    x[F.first_match_position] = Math.min(...found) / title.length;
  } else x[F.first_match_position] = 1;
  x[F.head_noun_in_title] = (pos[n - 1] as number) >= 0 ? 1 : 0;
  x[F.first_word_in_title] = (pos[0] as number) >= 0 ? 1 : 0;
  x[F.query_phrase_in_title] = n > 1 && title.join(' ').includes(q.exact.join(' ')) ? 1 : 0;
  const matchedTokens = title.filter((t) => q.altTerms.some((alts) => alts.has(t))).length;
  x[F.title_precision] = matchedTokens / title.length;
}

function businessFeatures(doc: SearchDocument, context: SearchContext, now: number, x: Float64Array): void {
  x[F.popularity] = Math.log1p(Math.max(0, doc.popularity ?? 0));
  x[F.sales] = Math.log1p(Math.max(0, doc.sales ?? 0));
  x[F.rating] = (doc.rating ?? 0) / 5;
  x[F.in_stock] = doc.inStock === undefined ? 0.5 : doc.inStock ? 1 : 0;
  x[F.freshness] =
    doc.createdAt === undefined ? 0 : Math.exp(-Math.max(0, now - doc.createdAt) / (180 * DAY));
  const path = (doc.categoryPath ?? []).join('/').toLowerCase();
  const recent = context.recentCategories ?? [];
  x[F.recent_category] = path && recent.some((c) => path.startsWith(c.toLowerCase())) ? 1 : 0;
}
