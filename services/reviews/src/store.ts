import { sql, type Generated, type Kysely, type SqlBool } from 'kysely';
import { writeEvents, type DomainEvent, type OutboxTables } from '@emporium/platform';
import type { Histogram, ModeratedReview, ReviewSort, ReviewStatus, SellerRating, Stars } from './types.ts';

export interface ReviewsDB extends OutboxTables {
  purchases: {
    order_id: string;
    product_id: string;
    customer_id: string;
    status: string;
    order_version: number;
    updated_at: Generated<string>;
  };
  reviews: {
    id: string;
    seq: Generated<number>;
    product_id: string;
    customer_id: string | null;
    author_name: string;
    rating: number;
    title: string;
    body: string;
    status: Generated<ReviewStatus>;
    moderation_note: string | null;
    helpful_votes: Generated<number>;
    reports: Generated<number>;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  review_votes: { review_id: string; customer_id: string; created_at: Generated<string> };
  review_reports: { review_id: string; customer_id: string; reason: string; created_at: Generated<string> };
  product_ratings: {
    product_id: string;
    review_count: Generated<number>;
    rating_sum: Generated<number>;
    stars_1: Generated<number>;
    stars_2: Generated<number>;
    stars_3: Generated<number>;
    stars_4: Generated<number>;
    stars_5: Generated<number>;
    version: Generated<number>;
    updated_at: Generated<string>;
  };
  seller_ratings: {
    order_id: string;
    seller_id: string;
    customer_id: string;
    rating: number;
    comment: string | null;
    created_at: Generated<string>;
  };
  seller_rating_versions: { seller_id: string; version: Generated<number> };
}

export type Db = Kysely<ReviewsDB>;

/** Order statuses in which the customer has bought the goods: paid and not cancelled or refunded. */
export const PURCHASED_STATUSES = ['paid', 'fulfilling', 'shipped', 'delivered'] as const;

export const SELLER_WINDOW_MONTHS = 12;

/** Where a page of reviews starts: after the row with this sort key and seq. */
export interface ReviewKey {
  key: number;
  seq: number;
}

export interface ReviewRow extends ModeratedReview {
  customerId: string | null;
  seq: number;
}

export interface Tally {
  count: number;
  sum: number;
  histogram: Histogram;
}

const emptyHistogram = (): Histogram => ({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 });

const SORT_COLUMN: Record<ReviewSort, { column: 'helpful_votes' | 'rating' | 'seq'; desc: boolean }> = {
  helpful: { column: 'helpful_votes', desc: true },
  newest: { column: 'seq', desc: true },
  rating_high: { column: 'rating', desc: true },
  rating_low: { column: 'rating', desc: false },
};

const iso = (value: string | Date) => new Date(value).toISOString();

/** The reviews schema's queries; nothing else in the service writes SQL. */
export class ReviewsStore {
  constructor(readonly db: Db) {}

  // ---- purchases (the projection of orders) ----

  /** Records the order's products with its current status, unless a newer version is already there. */
  async recordOrder(order: {
    id: string;
    customerId: string;
    status: string;
    version: number;
    productIds: string[];
  }): Promise<void> {
    if (order.productIds.length === 0) return;
    await this.db
      .insertInto('purchases')
      .values(
        order.productIds.map((productId) => ({
          order_id: order.id,
          product_id: productId,
          customer_id: order.customerId,
          status: order.status,
          order_version: order.version,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['order_id', 'product_id'])
          .doUpdateSet({
            status: (eb) => eb.ref('excluded.status'),
            order_version: (eb) => eb.ref('excluded.order_version'),
            updated_at: sql<string>`now()`,
          })
          .where(sql<SqlBool>`excluded.order_version >= purchases.order_version`),
      )
      .execute();
  }

  async hasPurchased(customerId: string, productId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('purchases')
      .select('order_id')
      .where('customer_id', '=', customerId)
      .where('product_id', '=', productId)
      .where('status', 'in', [...PURCHASED_STATUSES])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- reviews ----

  /**
   * Runs `change` with the product's rating row locked, then recounts the visible reviews and, when the
   * tally moved, stores it with the next version and writes the event `toEvent` builds, all in one
   * transaction: the change, the aggregate and its event commit together or not at all.
   */
  async changeProductReviews<T>(
    productId: string,
    change: (store: ReviewsStore) => Promise<T>,
    toEvent: (tally: Tally, version: number) => DomainEvent,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('product_ratings')
        .values({ product_id: productId })
        .onConflict((oc) => oc.column('product_id').doNothing())
        .execute();
      const before = await trx
        .selectFrom('product_ratings')
        .selectAll()
        .where('product_id', '=', productId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const scoped = new ReviewsStore(trx);
      const result = await change(scoped);
      const tally = await scoped.tally(productId);
      const same =
        tally.count === before.review_count &&
        tally.sum === before.rating_sum &&
        ([1, 2, 3, 4, 5] as const).every((s) => tally.histogram[s] === before[`stars_${s}`]);
      if (!same) {
        const version = Number(before.version) + 1;
        await trx
          .updateTable('product_ratings')
          .set({
            review_count: tally.count,
            rating_sum: tally.sum,
            stars_1: tally.histogram[1],
            stars_2: tally.histogram[2],
            stars_3: tally.histogram[3],
            stars_4: tally.histogram[4],
            stars_5: tally.histogram[5],
            version,
            updated_at: sql<string>`now()`,
          })
          .where('product_id', '=', productId)
          .execute();
        await writeEvents(trx, [toEvent(tally, version)]);
      }
      return result;
    });
  }

  /** The visible reviews of a product, counted now (not the stored aggregate). */
  async tally(productId: string): Promise<Tally> {
    const rows = await this.db
      .selectFrom('reviews')
      .select(['rating', (eb) => eb.fn.countAll<number>().as('n')])
      .where('product_id', '=', productId)
      .where('status', '=', 'visible')
      .groupBy('rating')
      .execute();
    const histogram = emptyHistogram();
    let count = 0;
    let sum = 0;
    for (const r of rows) {
      const n = Number(r.n);
      histogram[String(r.rating) as keyof Histogram] = n;
      count += n;
      sum += n * r.rating;
    }
    return { count, sum, histogram };
  }

  /** The stored aggregate, as the events reported it. */
  async storedTally(productId: string): Promise<Tally> {
    const row = await this.db
      .selectFrom('product_ratings')
      .selectAll()
      .where('product_id', '=', productId)
      .executeTakeFirst();
    if (!row) return { count: 0, sum: 0, histogram: emptyHistogram() };
    return {
      count: row.review_count,
      sum: row.rating_sum,
      histogram: {
        '1': row.stars_1,
        '2': row.stars_2,
        '3': row.stars_3,
        '4': row.stars_4,
        '5': row.stars_5,
      },
    };
  }

  async insertReview(row: {
    id: string;
    productId: string;
    customerId: string | null;
    authorName: string;
    rating: Stars;
    title: string;
    body: string;
    createdAt?: string;
  }): Promise<void> {
    await this.db
      .insertInto('reviews')
      .values({
        id: row.id,
        product_id: row.productId,
        customer_id: row.customerId,
        author_name: row.authorName,
        rating: row.rating,
        title: row.title,
        body: row.body,
        moderation_note: null,
        ...(row.createdAt ? { created_at: row.createdAt, updated_at: row.createdAt } : {}),
      })
      .execute();
  }

  async reviewOf(customerId: string, productId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('reviews')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    return row?.id;
  }

  async updateReview(id: string, changes: { rating?: Stars; title?: string; body?: string }): Promise<void> {
    await this.db
      .updateTable('reviews')
      .set({ ...changes, updated_at: sql<string>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async deleteReview(id: string): Promise<void> {
    await this.db.deleteFrom('reviews').where('id', '=', id).execute();
  }

  async moderate(id: string, status: ReviewStatus, note: string | null): Promise<void> {
    await this.db
      .updateTable('reviews')
      .set({ status, moderation_note: note })
      .where('id', '=', id)
      .execute();
  }

  private reviewQuery() {
    return this.db
      .selectFrom('reviews as r')
      .selectAll('r')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('purchases as p')
              .select('p.order_id')
              .whereRef('p.customer_id', '=', 'r.customer_id')
              .whereRef('p.product_id', '=', 'r.product_id')
              .where('p.status', 'in', [...PURCHASED_STATUSES]),
          )
          .as('verified'),
      );
  }

  async review(id: string, options: { lock?: boolean } = {}): Promise<ReviewRow | undefined> {
    let query = this.reviewQuery().where('r.id', '=', id);
    if (options.lock) query = query.forUpdate('r');
    const row = await query.executeTakeFirst();
    return row ? toReview(row) : undefined;
  }

  /** One page of a product's visible reviews in the given order, after `after` when given. */
  async list(productId: string, sort: ReviewSort, limit: number, after?: ReviewKey): Promise<ReviewRow[]> {
    const { column, desc } = SORT_COLUMN[sort];
    let query = this.reviewQuery()
      .where('r.product_id', '=', productId)
      .where('r.status', '=', 'visible')
      .orderBy(`r.${column}`, desc ? 'desc' : 'asc');
    if (column !== 'seq') query = query.orderBy('r.seq', 'desc');
    if (after) {
      const col = sql.ref(`r.${column}`);
      const beyond = desc ? sql`${col} < ${after.key}` : sql`${col} > ${after.key}`;
      query = query.where(
        column === 'seq'
          ? sql<SqlBool>`r.seq < ${after.seq}`
          : sql<SqlBool>`(${beyond} or (${col} = ${after.key} and r.seq < ${after.seq}))`,
      );
    }
    const rows = await query.limit(limit).execute();
    return rows.map(toReview);
  }

  /** Reviews with reports, most reported first (the moderators' queue), hidden ones included. */
  async reported(limit: number, after?: ReviewKey): Promise<ReviewRow[]> {
    let query = this.reviewQuery()
      .where('r.reports', '>', 0)
      .orderBy('r.reports', 'desc')
      .orderBy('r.seq', 'desc');
    if (after)
      query = query.where(
        sql<SqlBool>`(r.reports < ${after.key} or (r.reports = ${after.key} and r.seq < ${after.seq}))`,
      );
    return (await query.limit(limit).execute()).map(toReview);
  }

  /** Adds the customer's vote once; true when it was new. */
  async addVote(reviewId: string, customerId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const added = await trx
        .insertInto('review_votes')
        .values({ review_id: reviewId, customer_id: customerId })
        .onConflict((oc) => oc.columns(['review_id', 'customer_id']).doNothing())
        .returning('review_id')
        .executeTakeFirst();
      if (added)
        await trx
          .updateTable('reviews')
          .set((eb) => ({ helpful_votes: eb('helpful_votes', '+', 1) }))
          .where('id', '=', reviewId)
          .execute();
      return added !== undefined;
    });
  }

  async removeVote(reviewId: string, customerId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('review_votes')
        .where('review_id', '=', reviewId)
        .where('customer_id', '=', customerId)
        .returning('review_id')
        .executeTakeFirst();
      if (removed)
        await trx
          .updateTable('reviews')
          .set((eb) => ({ helpful_votes: eb('helpful_votes', '-', 1) }))
          .where('id', '=', reviewId)
          .execute();
    });
  }

  /** Files the customer's report once; a second report by the same customer changes nothing. */
  async addReport(reviewId: string, customerId: string, reason: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const added = await trx
        .insertInto('review_reports')
        .values({ review_id: reviewId, customer_id: customerId, reason })
        .onConflict((oc) => oc.columns(['review_id', 'customer_id']).doNothing())
        .returning('review_id')
        .executeTakeFirst();
      if (added)
        await trx
          .updateTable('reviews')
          .set((eb) => ({ reports: eb('reports', '+', 1) }))
          .where('id', '=', reviewId)
          .execute();
    });
  }

  async anyReview(): Promise<boolean> {
    return (await this.db.selectFrom('reviews').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  // ---- seller ratings ----

  /** As `changeProductReviews`, for a seller: the rating row is the lock, the event carries the window. */
  async changeSellerRatings<T>(
    sellerId: string,
    change: (store: ReviewsStore) => Promise<T>,
    toEvent: (summary: { count: number; positive: number }, version: number) => DomainEvent,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const { version } = await trx
        .insertInto('seller_rating_versions')
        .values({ seller_id: sellerId, version: 1 })
        .onConflict((oc) =>
          oc.column('seller_id').doUpdateSet({ version: sql<number>`seller_rating_versions.version + 1` }),
        )
        .returning('version')
        .executeTakeFirstOrThrow();
      const scoped = new ReviewsStore(trx);
      const result = await change(scoped);
      await writeEvents(trx, [toEvent(await scoped.sellerWindow(sellerId), Number(version))]);
      return result;
    });
  }

  async insertSellerRating(row: {
    orderId: string;
    sellerId: string;
    customerId: string;
    rating: Stars;
    comment: string | null;
  }): Promise<SellerRating | undefined> {
    const inserted = await this.db
      .insertInto('seller_ratings')
      .values({
        order_id: row.orderId,
        seller_id: row.sellerId,
        customer_id: row.customerId,
        rating: row.rating,
        comment: row.comment,
      })
      .onConflict((oc) => oc.columns(['order_id', 'seller_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return inserted ? toSellerRating(inserted) : undefined;
  }

  /** Ratings of the seller in the last twelve months, and how many of them are positive (4 or 5). */
  async sellerWindow(sellerId: string): Promise<{ count: number; positive: number }> {
    const row = await this.db
      .selectFrom('seller_ratings')
      .select((eb) => [
        eb.fn.countAll<number>().as('count'),
        sql<number>`count(*) filter (where rating >= 4)`.as('positive'),
      ])
      .where('seller_id', '=', sellerId)
      .where('created_at', '>', sql<string>`now() - ${`${SELLER_WINDOW_MONTHS} months`}::interval`)
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), positive: Number(row.positive) };
  }

  async sellerRatingsOfOrder(orderId: string, customerId: string): Promise<SellerRating[]> {
    const rows = await this.db
      .selectFrom('seller_ratings')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('customer_id', '=', customerId)
      .orderBy('seller_id')
      .execute();
    return rows.map(toSellerRating);
  }
}

interface ReviewSelection {
  id: string;
  seq: number;
  product_id: string;
  customer_id: string | null;
  author_name: string;
  rating: number;
  title: string;
  body: string;
  status: ReviewStatus;
  moderation_note: string | null;
  helpful_votes: number;
  reports: number;
  created_at: string;
  updated_at: string;
  verified: SqlBool;
}

function toReview(r: ReviewSelection): ReviewRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    productId: r.product_id,
    customerId: r.customer_id,
    rating: r.rating as Stars,
    title: r.title,
    body: r.body,
    authorName: r.author_name,
    verifiedPurchase: r.customer_id !== null && Boolean(r.verified),
    helpfulVotes: r.helpful_votes,
    status: r.status,
    reports: r.reports,
    ...(r.moderation_note ? { moderationNote: r.moderation_note } : {}),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toSellerRating(r: {
  order_id: string;
  seller_id: string;
  rating: number;
  comment: string | null;
  created_at: string;
}): SellerRating {
  return {
    orderId: r.order_id,
    sellerId: r.seller_id,
    rating: r.rating as Stars,
    ...(r.comment ? { comment: r.comment } : {}),
    createdAt: iso(r.created_at),
  };
}
