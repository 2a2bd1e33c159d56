import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { newId } from '@emporium/platform';
import type { CatalogApi } from '@emporium/catalog';
import { displayName, ratingEvent } from './reviews.ts';
import type { ReviewsStore } from './store.ts';
import type { Stars } from './types.ts';

interface DemoReview {
  rating: number;
  comment: string;
  date: string;
  reviewerName: string;
}

const dataFile = new URL('../data/dummyjson/reviews.json', import.meta.url);

/**
 * Imports the demo products' reviews once, when no review exists yet: the catalog's demo products are
 * matched by SKU. They carry no customer, so no verified-purchase badge; their rating events set the
 * catalog's ratings to what the reviews say.
 */
export async function seedDemoReviews(
  store: ReviewsStore,
  catalog: Pick<CatalogApi, 'listAllProducts'>,
  logger: Pick<Logger, 'info'>,
): Promise<number> {
  if (await store.anyReview()) return 0;
  const bySku = JSON.parse(await readFile(dataFile, 'utf8')) as Record<string, DemoReview[]>;
  let seeded = 0;
  let cursor: string | undefined;
  do {
    const page = await catalog.listAllProducts(cursor, 200);
    for (const product of page.items) {
      const reviews = product.skus.flatMap((sku) => bySku[sku] ?? []);
      if (reviews.length === 0) continue;
      await store.changeProductReviews(
        product.id,
        async (scoped) => {
          for (const review of reviews)
            await scoped.insertReview({
              id: newId(),
              productId: product.id,
              customerId: null,
              authorName: displayName(review.reviewerName),
              rating: Math.min(5, Math.max(1, Math.round(review.rating))) as Stars,
              title: review.comment,
              body: '',
              createdAt: review.date,
            });
        },
        (tally, version) => ratingEvent(product.id, tally, version),
      );
      seeded += reviews.length;
    }
    cursor = page.nextCursor;
  } while (cursor);
  if (seeded > 0) logger.info({ reviews: seeded }, 'seeded the demo reviews');
  return seeded;
}
