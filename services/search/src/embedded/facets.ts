/**
 * Facet counts over the whole match set (not just the page shown). Every count equals the total
 * the same query returns with that facet value added as a filter: price buckets are inclusive
 * minor-unit ranges, rating values are "at least", category values are subtrees.
 */
import type { FacetValue, Facets, PriceBucket } from '../types.ts';
import type { DocColumns } from './columns.ts';

import { PRICE_EDGES } from './buckets.ts';

export { PRICE_EDGES };
const RATING_STEPS = [1, 2, 3, 4];

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

  add(id: number, n = 1): void {
    const c = this.counts[id] as number;
    this.counts[id] = c + n;
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
const categorySets = new Counter();
const attributeSets = new Counter();

function toValues(counts: [number, number][], names: string[], limit: number): FacetValue[] {
  return counts
    .map(([id, count]) => ({ value: names[id] as string, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

/**
 * One pass over the matches reads per-document ordinals only (set ids, brand, price bucket,
 * rating, stock); category paths and attribute sets are counted once per distinct set and
 * expanded into their nodes and pairs afterwards, since many products share a set.
 */
export function computeFacets(cols: DocColumns, docs: ArrayLike<number>, count: number, limit = 100): Facets {
  categorySets.reset(cols.sets.length);
  attributeSets.reset(cols.sets.length);
  brand.reset(cols.brands.display.length);
  const price = new Int32Array(PRICE_EDGES.length);
  const rating = new Int32Array(RATING_STEPS.length);
  const stock = new Int32Array(3);
  const { categorySet, attributeSet, priceBucket } = cols;
  for (let i = 0; i < count; i++) {
    const d = docs[i] as number;
    categorySets.add(categorySet[d] as number);
    attributeSets.add(attributeSet[d] as number);
    const br = cols.brand[d] as number;
    if (br >= 0) brand.add(br);
    const b = priceBucket[d] as number;
    if (b >= 0) price[b] = (price[b] as number) + 1;
    const r = cols.rating[d] as number;
    for (let s = 0; s < RATING_STEPS.length; s++)
      if (r >= (RATING_STEPS[s] as number)) rating[s] = (rating[s] as number) + 1;
    const st = (cols.stock[d] as number) + 1;
    stock[st] = (stock[st] as number) + 1;
  }
  expandSets(categorySets, cols.sets, category, cols.categoryNodes.display.length);
  expandSets(attributeSets, cols.sets, attrs, cols.attributePairs.display.length);
  return {
    category: toValues(category.entries(), cols.categoryNodes.display, limit * 10),
    brand: toValues(brand.entries(), cols.brands.display, limit),
    price: priceBuckets(Array.from(price)),
    rating: RATING_STEPS.map((s, i) => ({ value: String(s), count: rating[i] as number }))
      .filter((v) => v.count > 0)
      .reverse(),
    inStock: [
      { value: 'true', count: stock[2] as number },
      { value: 'false', count: stock[1] as number },
    ].filter((v) => v.count > 0),
    attributes: attributeFacets(attrs.entries(), cols.attributePairs.display, limit),
  };
}

function expandSets(bySet: Counter, sets: Int32Array[], into: Counter, capacity: number): void {
  into.reset(capacity);
  for (const [set, n] of bySet.entries()) {
    const ids = sets[set] as Int32Array;
    for (let k = 0; k < ids.length; k++) into.add(ids[k] as number, n);
  }
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
