import { sql, type Kysely } from 'kysely';
import { writeEvents, type DomainEvent } from '@emporium/platform';
import type { ProductRatingChangedEvent } from './ports.ts';
import { CatalogQueries } from './queries.ts';
import type { CatalogDB } from './schema.ts';
import { ProductChanged } from './types.ts';

/**
 * Applies a product's rating from the reviews service (the owner of ratings, ADR 1001) and re-announces
 * the product as `catalog.product.updated`, so search and recommendations index the new rating the way
 * they index any product change. Returns whether the product changed (unknown product or older event: no).
 */
export async function applyReviewRating(
  db: Kysely<CatalogDB>,
  event: DomainEvent<ProductRatingChangedEvent>,
): Promise<boolean> {
  const { productId, average, count, version } = event.data;
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('products')
      .set({ rating: average, rating_count: count, review_rating_version: version })
      .where(sql<string>`id::text`, '=', productId)
      .where('review_rating_version', '<', version)
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false;
    const queries = new CatalogQueries(trx);
    const [doc] = await queries.documents([(await queries.product(updated.id))!]);
    await writeEvents(trx, [ProductChanged.create(updated.id, doc!, 'catalog.product.updated')]);
    return true;
  });
}
