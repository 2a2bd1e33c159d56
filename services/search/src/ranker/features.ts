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

/** Position of `doc` in a posting list (binary search: postings are sorted), or -1. */
function positionIn(list: PostingList | undefined, doc: number): number {
  if (!list) return -1;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list.ids[mid] as number;
    if (v === doc) return mid;
    if (v < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Per-query facts the title features compare every candidate's title tokens (term ids) with. */
interface QueryShape {
  counting: TermGroup[];
  /** Each counting group's own text, and its term id (-1 if no document has it). */
  exact: string[];
  exactIds: number[];
  exactPhrase: string;
  /** Each counting group's alternatives: term id → weight. */
  alts: Map<number, number>[];
}

function shapeOf(index: EmbeddedIndex, groups: TermGroup[]): QueryShape {
  const counting = groups.filter((g) => g.counts);
  const exact = counting.map((g) => g.text);
  return {
    counting,
    exact,
    exactIds: exact.map((t) => index.dict.idOf(t) ?? -1),
    exactPhrase: exact.join(' '),
    alts: counting.map((g) => new Map(g.alts.map((a) => [a.term, a.weight]))),
  };
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

const bestPerField = new Float64Array(FIELD_COUNT);

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
    const best = bestPerField.fill(0);
    let any = false;
    for (const alt of g.alts) {
      const list = index.postings[alt.term];
      const at = positionIn(list, d);
      if (at < 0) continue;
      any = true;
      const tfs = (list as PostingList).tfs;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const len = index.fieldLen[d * FIELD_COUNT + f] as number;
        const s =
          alt.weight *
          fieldBm25(
            tfs[at * FIELD_COUNT + f] as number,
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

/** Scratch per counting group: first title position of any alternative, of the exact term. */
let firstAt = new Int32Array(16);
let exactAt = new Int32Array(16);

function titleFeatures(index: EmbeddedIndex, q: QueryShape, d: number, x: Float64Array): void {
  const title = index.titles.of(d);
  const len = title.length;
  const n = q.counting.length;
  x[F.title_length] = Math.log1p(len);
  if (n === 0 || len === 0) return;
  if (firstAt.length < n) {
    firstAt = new Int32Array(n * 2);
    exactAt = new Int32Array(n * 2);
  }
  let weighted = 0;
  let exactFound = 0;
  let numbersMissing = 0;
  let first = len;
  let last = -1;
  let found = 0;
  for (let i = 0; i < n; i++) {
    const alts = q.alts[i] as Map<number, number>;
    let at = -1;
    let bestWeight = -Infinity;
    for (let k = 0; k < len; k++) {
      const w = alts.get(title[k] as number);
      if (w === undefined) continue;
      if (at < 0) at = k;
      if (w > bestWeight) bestWeight = w;
    }
    firstAt[i] = at;
    exactAt[i] = title.indexOf(q.exactIds[i] as number);
    if (at >= 0) {
      weighted += bestWeight;
      found++;
      if (at < first) first = at;
      if (at > last) last = at;
    }
    if ((exactAt[i] as number) >= 0) exactFound++;
    else if (isNumericTerm(q.exact[i] as string)) numbersMissing++;
  }
  x[F.title_coverage_exact] = exactFound / n;
  x[F.title_coverage_weighted] = weighted / n;
  x[F.numbers_missing] = numbersMissing;
  let adjacent = 0;
  for (let i = 0; i + 1 < n; i++) {
    const a = firstAt[i] as number;
    if (a >= 0 && a + 1 < len && (q.alts[i + 1] as Map<number, number>).has(title[a + 1] as number))
      adjacent++;
  }
  x[F.bigrams_adjacent] = n > 1 ? adjacent / (n - 1) : 0;
  if (found > 0) {
    x[F.proximity] = found / (last - first + 1);
    x[F.first_match_position] = first / len;
  } else x[F.first_match_position] = 1;
  x[F.head_noun_in_title] = (firstAt[n - 1] as number) >= 0 ? 1 : 0;
  x[F.first_word_in_title] = (firstAt[0] as number) >= 0 ? 1 : 0;
  x[F.query_phrase_in_title] = n > 1 && index.titleTokens(d).join(' ').includes(q.exactPhrase) ? 1 : 0;
  let matchedTokens = 0;
  for (let k = 0; k < len; k++) if (q.alts.some((alts) => alts.has(title[k] as number))) matchedTokens++;
  x[F.title_precision] = matchedTokens / len;
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
