/**
 * Facet counts over the whole match set (not just the page shown). Every count equals the total
 * the same query returns with that facet value added as a filter: price buckets are inclusive
 * minor-unit ranges, rating values are "at least", category values are subtrees.
 */
import type { FacetValue, Facets, PriceBucket } from '../types.ts';
import type { DocColumns } from './columns.ts';
import { topKPositions } from './topk.ts';

import { PRICE_EDGES, RATING_STEPS } from './buckets.ts';
import {
  ROW_ATTRIBUTES,
  ROW_BRAND,
  ROW_CATEGORIES_SMALL,
  ROW_STRIDE,
  SMALL_BITS,
  SMALL_WORDS,
  unpackSmall,
} from './columns.ts';

export { PRICE_EDGES };

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
const attrs = new Counter();

/**
 * The `limit` most frequent values, ties by name. With many values (brands of a large catalogue)
 * only those at or above the limit-th count are turned into objects and sorted.
 */
function toValues(counts: [number, number][], names: string[], limit: number): FacetValue[] {
  let kept = counts;
  if (counts.length > limit * 2) {
    const values = Int32Array.from(counts, ([, n]) => n);
    const top = topKPositions(values, values.length, limit);
    const kth = values[top[top.length - 1] as number] as number;
    kept = counts.filter(([, n]) => n >= kth);
  }
  return kept
    .map(([id, count]) => ({ value: names[id] as string, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

/** The `limit` most frequent values of dense counts (slot = value id), ties by name. */
function denseValues(counts: Int32Array, names: string[], limit: number): FacetValue[] {
  let nonZero = 0;
  for (let id = 0; id < counts.length; id++) if ((counts[id] as number) > 0) nonZero++;
  let kth = 1;
  if (nonZero > limit) {
    const values = new Int32Array(nonZero);
    let i = 0;
    for (let id = 0; id < counts.length; id++)
      if ((counts[id] as number) > 0) values[i++] = counts[id] as number;
    kth = values.sort()[nonZero - limit] as number;
  }
  const kept: [number, number][] = [];
  for (let id = 0; id < counts.length; id++)
    if ((counts[id] as number) >= kth) kept.push([id, counts[id] as number]);
  return toValues(kept, names, limit);
}

/**
 * One pass over the matches reads per-document ordinals only (set ids, brand, price bucket,
 * rating, stock); category paths and attribute sets are counted once per distinct set and
 * expanded into their nodes and pairs afterwards, since many products share a set. `docs` in
 * ascending order (as matching yields them) reads the rows front to back.
 */
export function computeFacets(cols: DocColumns, docs: ArrayLike<number>, count: number, limit = 100): Facets {
  // One counter array (fewer bases to load per match than four): [small words | category sets |
  // attribute sets | brands + 1], so brand -1 (none) lands in slot 0 of the brands.
  const categoryAt = SMALL_WORDS;
  const attributeAt = categoryAt + cols.categorySets.length;
  const brandAt = attributeAt + cols.attributeSets.length;
  const counts = dense(brandAt + cols.brands.display.length + 1);
  tallyRows(cols.facetRow, docs, count, counts, categoryAt, attributeAt, brandAt);
  const small = counts.subarray(0, categoryAt);
  const sets = counts.subarray(categoryAt, attributeAt);
  const attributeSets = counts.subarray(attributeAt, brandAt);
  const brands = counts.subarray(brandAt);
  category.reset(cols.categoryNodes.display.length);
  attrs.reset(cols.attributePairs.display.length);
  expandSets(sets, cols.categorySets, category);
  expandSets(attributeSets, cols.attributeSets, attrs);
  const price = new Array<number>(PRICE_EDGES.length).fill(0);
  const rating = new Array<number>(RATING_STEPS.length).fill(0);
  const stock = [0, 0, 0];
  for (let w = 0; w < small.length; w++) {
    const n = small[w] as number;
    if (n === 0) continue;
    const { bucket, ratingSteps, stockPlusOne } = unpackSmall(w);
    if (bucket >= 0) price[bucket] = (price[bucket] as number) + n;
    for (let s = 0; s < ratingSteps; s++) rating[s] = (rating[s] as number) + n;
    stock[stockPlusOne] = (stock[stockPlusOne] as number) + n;
  }
  return {
    category: toValues(category.entries(), cols.categoryNodes.display, limit * 10),
    brand: denseValues(brands.subarray(1), cols.brands.display, limit),
    price: priceBuckets(price),
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

/** Four branch-free increments per match into one counter array small enough to stay in cache. */
function tallyRows(
  row: Int32Array,
  docs: ArrayLike<number>,
  count: number,
  counts: Int32Array,
  categoryAt: number,
  attributeAt: number,
  brandAt: number,
): void {
  const smallMask = SMALL_WORDS - 1;
  for (let i = 0; i < count; i++) {
    const r = (docs[i] as number) * ROW_STRIDE;
    const w = row[r + ROW_CATEGORIES_SMALL] as number;
    const c = categoryAt + (w >>> SMALL_BITS);
    counts[c] = (counts[c] as number) + 1;
    const s = w & smallMask;
    counts[s] = (counts[s] as number) + 1;
    const a = attributeAt + (row[r + ROW_ATTRIBUTES] as number);
    counts[a] = (counts[a] as number) + 1;
    const b = brandAt + (row[r + ROW_BRAND] as number);
    counts[b] = (counts[b] as number) + 1;
  }
}

/** Counts per set, expanded into counts per member (category node, attribute pair). */
function expandSets(bySet: Int32Array, sets: Int32Array[], into: Counter): void {
  for (let set = 0; set < bySet.length; set++) {
    const n = bySet[set] as number;
    if (n === 0) continue;
    const ids = sets[set] as Int32Array;
    for (let k = 0; k < ids.length; k++) into.add(ids[k] as number, n);
  }
}

/** The facet counters, reused across queries (zeroed on each use). */
let scratch = new Int32Array(0);
function dense(size: number): Int32Array {
  if (scratch.length < size) scratch = new Int32Array(Math.max(size, 64) * 2);
  else scratch.fill(0, 0, size);
  return scratch.subarray(0, size);
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
