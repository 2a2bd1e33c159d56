/** Price buckets of the price facet, shared by the columns (per document) and the facet counter. */

/** Bucket lower edges in minor units; the last bucket is open-ended. */
export const PRICE_EDGES = [0, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000];

export function priceBucketOf(price: number): number {
  if (!(price >= 0)) return -1;
  let i = PRICE_EDGES.length - 1;
  while (i > 0 && price < (PRICE_EDGES[i] as number)) i--;
  return i;
}
