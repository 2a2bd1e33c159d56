/**
 * Facet counts over the whole match set (not just the page shown). Every count equals the total
 * the same query returns with that facet value added as a filter: price buckets are inclusive
 * minor-unit ranges, rating values are "at least", category values are subtrees.
 */
import type { FacetValue, Facets, PriceBucket } from '../types.ts';
import type { DocColumns } from './columns.ts';

/** Bucket lower edges in minor units; the last bucket is open-ended. */
export const PRICE_EDGES = [0, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000];
const RATING_STEPS = [1, 2, 3, 4];

function bucketOf(price: number): number {
  let i = PRICE_EDGES.length - 1;
  while (i > 0 && price < (PRICE_EDGES[i] as number)) i--;
  return i;
}

function toValues(counts: Map<number, number>, names: string[], limit: number): FacetValue[] {
  return [...counts]
    .map(([id, count]) => ({ value: names[id] as string, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

function bump(m: Map<number, number>, k: number): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

export function computeFacets(cols: DocColumns, docs: ArrayLike<number>, count: number, limit = 100): Facets {
  const category = new Map<number, number>();
  const brand = new Map<number, number>();
  const attrs = new Map<number, number>();
  const price = new Array<number>(PRICE_EDGES.length).fill(0);
  const rating = new Array<number>(RATING_STEPS.length).fill(0);
  let inStock = 0;
  let outOfStock = 0;
  for (let i = 0; i < count; i++) {
    const d = docs[i] as number;
    for (const c of cols.categories[d] ?? []) bump(category, c);
    for (const a of cols.attributes[d] ?? []) bump(attrs, a);
    const b = cols.brand[d] as number;
    if (b >= 0) bump(brand, b);
    const p = cols.price[d] as number;
    if (p >= 0) price[bucketOf(p)] = (price[bucketOf(p)] as number) + 1;
    const r = cols.rating[d] as number;
    for (let s = 0; s < RATING_STEPS.length; s++)
      if (r >= (RATING_STEPS[s] as number)) rating[s] = (rating[s] as number) + 1;
    const st = cols.stock[d];
    if (st === 1) inStock++;
    else if (st === 0) outOfStock++;
  }
  return {
    category: toValues(category, cols.categoryNodes.display, limit * 10),
    brand: toValues(brand, cols.brands.display, limit),
    price: priceBuckets(price),
    rating: RATING_STEPS.map((s, i) => ({ value: String(s), count: rating[i] as number }))
      .filter((v) => v.count > 0)
      .reverse(),
    inStock: [
      { value: 'true', count: inStock },
      { value: 'false', count: outOfStock },
    ].filter((v) => v.count > 0),
    attributes: attributeFacets(attrs, cols.attributePairs.display, limit),
  };
}

function priceBuckets(counts: number[]): PriceBucket[] {
  const out: PriceBucket[] = [];
  counts.forEach((count, i) => {
    if (count === 0) return;
    const next = PRICE_EDGES[i + 1];
    out.push(
      next === undefined
        ? { from: PRICE_EDGES[i] as number, count }
        : { from: PRICE_EDGES[i] as number, to: next - 1, count },
    );
  });
  return out;
}

function attributeFacets(
  counts: Map<number, number>,
  names: string[],
  limit: number,
): Record<string, FacetValue[]> {
  const byKey: Record<string, FacetValue[]> = {};
  for (const [id, count] of counts) {
    const [key, value] = (names[id] as string).split('\u0000') as [string, string];
    (byKey[key] ??= []).push({ value, count });
  }
  for (const key of Object.keys(byKey)) {
    byKey[key] = (byKey[key] as FacetValue[])
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, limit);
  }
  return byKey;
}
