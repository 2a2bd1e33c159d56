// Cold start for a new product: neighbours by content (category path, brand, title terms) with TF-IDF cosine.
export interface ItemFeatures {
  id: string;
  /** Category path such as "Beauty/Skin Care/Face", or its parts. */
  category?: string | readonly string[];
  brand?: string;
  title?: string;
}

export interface ContentIndex {
  readonly ids: readonly string[];
  readonly vectors: ReadonlyArray<ReadonlyMap<string, number>>;
  readonly postings: ReadonlyMap<string, readonly number[]>;
  readonly idf: ReadonlyMap<string, number>;
}

const STOP = new Set([
  'the',
  'and',
  'for',
  'with',
  'of',
  'a',
  'an',
  'in',
  'to',
  'by',
  'oz',
  'ml',
  'pack',
  'set',
]);

/** Brand and the deepest category count more than any one title word: they are what shoppers browse by. */
const FIELD_WEIGHT = { brand: 2, category: 1.5, title: 1 };

export function contentTerms(f: ItemFeatures): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (t: string, w: number) => terms.set(t, (terms.get(t) ?? 0) + w);
  const path = typeof f.category === 'string' ? f.category.split('/') : (f.category ?? []);
  // every prefix of the path is a term, deeper prefixes weigh more
  path.forEach((_, i) =>
    add(
      `c:${path
        .slice(0, i + 1)
        .join('/')
        .toLowerCase()}`,
      (FIELD_WEIGHT.category * (i + 1)) / path.length,
    ),
  );
  if (f.brand) add(`b:${f.brand.trim().toLowerCase()}`, FIELD_WEIGHT.brand);
  for (const word of (f.title ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length > 1 && !STOP.has(word)) add(`t:${word}`, FIELD_WEIGHT.title);
  }
  return terms;
}

export function buildContentIndex(items: readonly ItemFeatures[]): ContentIndex {
  const raw = items.map(contentTerms);
  const df = new Map<string, number>();
  for (const terms of raw) for (const t of terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log(1 + items.length / d));
  const postings = new Map<string, number[]>();
  const vectors = raw.map((terms, i) => {
    for (const t of terms.keys()) {
      const list = postings.get(t) ?? [];
      list.push(i);
      postings.set(t, list);
    }
    return weigh(terms, idf);
  });
  return { ids: items.map((f) => f.id), vectors, postings, idf };
}

function weigh(terms: ReadonlyMap<string, number>, idf: ReadonlyMap<string, number>): Map<string, number> {
  const v = new Map<string, number>();
  let norm = 0;
  for (const [t, w] of terms) {
    const x = w * (idf.get(t) ?? 0);
    if (x > 0) {
      v.set(t, x);
      norm += x * x;
    }
  }
  const n = Math.sqrt(norm) || 1;
  for (const [t, x] of v) v.set(t, x / n);
  return v;
}

/** The k catalogue items most similar to `item` by content, best first (the item itself excluded). */
export function contentNeighbours(
  index: ContentIndex,
  item: ItemFeatures,
  k: number,
): { item: string; score: number }[] {
  const query = weigh(contentTerms(item), index.idf);
  const scores = new Map<number, number>();
  for (const [t, q] of query) {
    for (const i of index.postings.get(t) ?? []) {
      scores.set(i, (scores.get(i) ?? 0) + q * (index.vectors[i]!.get(t) ?? 0));
    }
  }
  return [...scores]
    .filter(([i]) => index.ids[i] !== item.id)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([i, score]) => ({ item: index.ids[i]!, score }));
}
