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

/**
 * Dense counters over interned ids, reused across queries and reset through the ids they touched:
 * counting a large match set is then a typed-array increment per value, with no Map and no garbage.
 */
class Counter {
  counts = new Int32Array(64);
  touched = new Int32Array(64);
  size = 0;

  reset(capacity: number): void {
    for (let i = 0; i < this.size; i++) this.counts[this.touched[i] as number] = 0;
    this.size = 0;
    if (capacity > this.counts.length) {
      this.counts = new Int32Array(capacity * 2);
      this.touched = new Int32Array(capacity * 2);
    }
  }

  add(id: number): void {
    const c = this.counts[id] as number;
    this.counts[id] = c + 1;
    if (c === 0) this.touched[this.size++] = id;
  }

  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.size; i++) {
      const id = this.touched[i] as number;
      out.push([id, this.counts[id] as number]);
    }
    return out;
  }
}

const category = new Counter();
const brand = new Counter();
const attrs = new Counter();

function toValues(counts: [number, number][], names: string[], limit: number): FacetValue[] {
  return counts
    .map(([id, count]) => ({ value: names[id] as string, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

export function computeFacets(cols: DocColumns, docs: ArrayLike<number>, count: number, limit = 100): Facets {
  category.reset(cols.categoryNodes.display.length);
  brand.reset(cols.brands.display.length);
  attrs.reset(cols.attributePairs.display.length);
  const price = new Int32Array(PRICE_EDGES.length);
  const rating = new Int32Array(RATING_STEPS.length);
  let inStock = 0;
  let outOfStock = 0;
  const { categories, attributes } = cols;
  for (let i = 0; i < count; i++) {
    const d = docs[i] as number;
    const cs = categories[d];
    if (cs) for (let k = 0; k < cs.length; k++) category.add(cs[k] as number);
    const as = attributes[d];
    if (as) for (let k = 0; k < as.length; k++) attrs.add(as[k] as number);
    const br = cols.brand[d] as number;
    if (br >= 0) brand.add(br);
    const p = cols.price[d] as number;
    if (p >= 0) {
      const b = bucketOf(p);
      price[b] = (price[b] as number) + 1;
    }
    const r = cols.rating[d] as number;
    for (let s = 0; s < RATING_STEPS.length; s++)
      if (r >= (RATING_STEPS[s] as number)) rating[s] = (rating[s] as number) + 1;
    const st = cols.stock[d];
    if (st === 1) inStock++;
    else if (st === 0) outOfStock++;
  }
  return {
    category: toValues(category.entries(), cols.categoryNodes.display, limit * 10),
    brand: toValues(brand.entries(), cols.brands.display, limit),
    price: priceBuckets(Array.from(price)),
    rating: RATING_STEPS.map((s, i) => ({ value: String(s), count: rating[i] as number }))
      .filter((v) => v.count > 0)
      .reverse(),
    inStock: [
      { value: 'true', count: inStock },
      { value: 'false', count: outOfStock },
    ].filter((v) => v.count > 0),
    attributes: attributeFacets(attrs.entries(), cols.attributePairs.display, limit),
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
  counts: [number, number][],
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
