/** Price buckets and rating steps of the facets, shared by the columns (per document) and the facet counter. */

/** Bucket lower edges in minor units; the last bucket is open-ended. */
export const PRICE_EDGES = [0, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000];

export function priceBucketOf(price: number): number {
  if (!(price >= 0)) return -1;
  let i = PRICE_EDGES.length - 1;
  while (i > 0 && price < (PRICE_EDGES[i] as number)) i--;
  return i;
}

/** Rating facet values: "at least n". */
export const RATING_STEPS = [1, 2, 3, 4];

/** How many rating steps a rating reaches (0 without a rating). */
export function ratingStepsOf(rating: number): number {
  let n = 0;
  for (const s of RATING_STEPS) if (rating >= s) n++;
  return n;
}
