import {
  conflict,
  forbidden,
  newId,
  notFound,
  validation,
  type AuthUser,
  type FieldError,
} from '@emporium/platform';
import type { CatalogApi } from '@emporium/catalog';
import type { UsersApi } from '@emporium/users';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { PurchaseProjection } from './purchases.ts';
import type { ReviewRow, ReviewsStore, Tally } from './store.ts';
import {
  ProductRatingChanged,
  type ModeratedReview,
  type NewReviewInput,
  type RatingSummary,
  type Review,
  type ReviewInput,
  type ReviewSort,
  type Stars,
} from './types.ts';

export interface ReviewsDeps {
  catalog: Pick<CatalogApi, 'getProducts' | 'listAllProducts'>;
  users: Pick<UsersApi, 'getUsers'>;
}

export const TITLE_MAX = 150;
export const BODY_MAX = 5000;
export const REPORT_REASON_MAX = 500;

/** Two decimals, as the catalog stores a product's rating. */
export const averageOf = (tally: Pick<Tally, 'count' | 'sum'>): number =>
  tally.count === 0 ? 0 : Math.round((tally.sum / tally.count) * 100) / 100;

/** "Ada Lovelace" is shown as "Ada L.": a review names its author without publishing a full name. */
export function displayName(name: string): string {
  const [first, ...rest] = name.trim().split(/\s+/);
  const initial = rest.at(-1)?.[0];
  return first ? (initial ? `${first} ${initial.toUpperCase()}.` : first) : 'Customer';
}

/** Text must say something once trimmed; the schema has already bounded its length. */
function checkText(fields: Partial<ReviewInput>): Partial<ReviewInput> {
  const problems: FieldError[] = [];
  const out: Partial<ReviewInput> = { ...fields };
  for (const key of ['title', 'body'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    out[key] = value.trim();
    if (out[key] === '') problems.push({ field: key, message: 'must not be blank' });
  }
  if (problems.length > 0) throw validation('The review is incomplete', problems);
  return out;
}

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/** What the public sees of a review; the author's id, reports and moderation stay inside. */
export function publicView(r: ReviewRow): Review {
  return {
    id: r.id,
    productId: r.productId,
    rating: r.rating,
    title: r.title,
    body: r.body,
    authorName: r.authorName,
    verifiedPurchase: r.verifiedPurchase,
    helpfulVotes: r.helpfulVotes,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function moderatedView(r: ReviewRow): ModeratedReview {
  return {
    ...publicView(r),
    status: r.status,
    reports: r.reports,
    ...(r.moderationNote ? { moderationNote: r.moderationNote } : {}),
  };
}

/** Product reviews: who may write, edit, vote, report and moderate, and the product's rating summary. */
export class ProductReviews {
  constructor(
    private readonly store: ReviewsStore,
    private readonly deps: ReviewsDeps,
    private readonly purchases: PurchaseProjection,
    private readonly afterCommit: () => void,
  ) {}

  async create(user: AuthUser, productId: string, input: NewReviewInput): Promise<ModeratedReview> {
    const text = checkText(input);
    await this.requireProduct(productId);
    if (!(await this.bought(user.id, productId, input.orderId)))
      throw forbidden('Only a customer who bought this product in a paid order may review it');
    const [author] = await this.deps.users.getUsers([user.id]);
    const id = newId();
    try {
      await this.store.changeProductReviews(
        productId,
        async (store) => {
          const existing = await store.reviewOf(user.id, productId);
          if (existing) throw conflict('You have already reviewed this product', { reviewId: existing });
          await store.insertReview({
            id,
            productId,
            customerId: user.id,
            authorName: displayName(author?.name ?? ''),
            rating: input.rating as Stars,
            title: text.title!,
            body: text.body!,
          });
        },
        (tally, version) => ratingEvent(productId, tally, version),
      );
    } catch (error) {
      // Two first reviews racing: the unique index lets one in, the other learns it as the 409.
      if (isUniqueViolation(error)) throw conflict('You have already reviewed this product');
      throw error;
    }
    this.afterCommit();
    return moderatedView((await this.store.review(id))!);
  }

  async edit(user: AuthUser, id: string, changes: Partial<ReviewInput>): Promise<ModeratedReview> {
    const text = checkText(changes);
    if (Object.keys(changes).length === 0)
      throw validation('Nothing to change', [{ field: 'body', message: 'give rating, title or body' }]);
    const review = await this.authored(user, id);
    await this.store.changeProductReviews(
      review.productId,
      (store) =>
        store.updateReview(id, {
          ...(changes.rating !== undefined ? { rating: changes.rating as Stars } : {}),
          ...(text.title !== undefined ? { title: text.title } : {}),
          ...(text.body !== undefined ? { body: text.body } : {}),
        }),
      (tally, version) => ratingEvent(review.productId, tally, version),
    );
    this.afterCommit();
    return moderatedView((await this.store.review(id))!);
  }

  /** The author withdraws a review, or an admin removes it for good (hiding is the reversible way). */
  async remove(user: AuthUser, id: string): Promise<void> {
    const review = user.role === 'admin' ? await this.existing(id) : await this.authored(user, id);
    await this.store.changeProductReviews(
      review.productId,
      (store) => store.deleteReview(id),
      (tally, version) => ratingEvent(review.productId, tally, version),
    );
    this.afterCommit();
  }

  async moderate(id: string, status: 'visible' | 'hidden', note?: string): Promise<ModeratedReview> {
    const review = await this.existing(id);
    await this.store.changeProductReviews(
      review.productId,
      (store) => store.moderate(id, status, note ?? null),
      (tally, version) => ratingEvent(review.productId, tally, version),
    );
    this.afterCommit();
    return moderatedView((await this.store.review(id))!);
  }

  /** A visible review for everyone; a hidden one for its author and admins only. */
  async get(viewer: AuthUser | undefined, id: string): Promise<Review | ModeratedReview> {
    const review = await this.store.review(id);
    if (!review) throw notFound('Review');
    const privileged = viewer !== undefined && (viewer.role === 'admin' || viewer.id === review.customerId);
    if (privileged) return moderatedView(review);
    if (review.status !== 'visible') throw notFound('Review');
    return publicView(review);
  }

  async list(
    productId: string,
    sort: ReviewSort,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Review[]; nextCursor?: string }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, sort);
    await this.requireProduct(productId);
    const rows = await this.store.list(productId, sort, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(publicView),
      ...(rows.length > limit && last
        ? { nextCursor: encodeCursor(sort, sortKey(sort, last), last.seq) }
        : {}),
    };
  }

  async reported(limit: number, cursor?: string): Promise<{ items: ModeratedReview[]; nextCursor?: string }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 'reported');
    const rows = await this.store.reported(limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(moderatedView),
      ...(rows.length > limit && last
        ? { nextCursor: encodeCursor('reported', last.reports, last.seq) }
        : {}),
    };
  }

  async summary(productId: string): Promise<RatingSummary> {
    await this.requireProduct(productId);
    return this.productRating(productId);
  }

  /** The stored aggregate: the one the last rating event carried. */
  async productRating(productId: string): Promise<RatingSummary> {
    const tally = await this.store.storedTally(productId);
    return { productId, average: averageOf(tally), count: tally.count, histogram: tally.histogram };
  }

  async vote(user: AuthUser, id: string, helpful: boolean): Promise<Review> {
    const review = await this.visible(id);
    if (review.customerId === user.id) throw forbidden('You cannot vote on your own review');
    if (helpful) await this.store.addVote(id, user.id);
    else await this.store.removeVote(id, user.id);
    return publicView((await this.store.review(id))!);
  }

  async report(user: AuthUser, id: string, reason: string): Promise<void> {
    const review = await this.visible(id);
    if (review.customerId === user.id) throw forbidden('You cannot report your own review');
    const trimmed = reason.trim();
    if (trimmed === '')
      throw validation('Say what is wrong', [{ field: 'reason', message: 'must not be blank' }]);
    await this.store.addReport(id, user.id, trimmed);
  }

  /**
   * From the projection; a named order is read from the orders service first, so a review written the
   * moment an order is paid does not wait for the order's event. Whoever's order it is, the projection
   * records it as it stands and the check is still about the caller.
   */
  private async bought(customerId: string, productId: string, orderId?: string): Promise<boolean> {
    if (await this.store.hasPurchased(customerId, productId)) return true;
    if (orderId === undefined) return false;
    await this.purchases.refresh(orderId);
    return this.store.hasPurchased(customerId, productId);
  }

  private async requireProduct(productId: string): Promise<void> {
    const [product] = await this.deps.catalog.getProducts([productId]);
    if (!product) throw notFound('Product');
  }

  private async existing(id: string): Promise<ReviewRow> {
    const review = await this.store.review(id);
    if (!review) throw notFound('Review');
    return review;
  }

  private async visible(id: string): Promise<ReviewRow> {
    const review = await this.existing(id);
    if (review.status !== 'visible') throw notFound('Review');
    return review;
  }

  /** The caller's own review; someone else's is refused, a hidden one of someone else does not exist. */
  private async authored(user: AuthUser, id: string): Promise<ReviewRow> {
    const review = await this.existing(id);
    if (review.customerId === user.id) return review;
    if (review.status !== 'visible') throw notFound('Review');
    throw forbidden('Only the author may change this review');
  }
}

function sortKey(sort: ReviewSort, r: ReviewRow): number {
  if (sort === 'helpful') return r.helpfulVotes;
  if (sort === 'newest') return r.seq;
  return r.rating;
}

export function ratingEvent(productId: string, tally: Tally, version: number) {
  return ProductRatingChanged.create(productId, {
    productId,
    average: averageOf(tally),
    count: tally.count,
    histogram: tally.histogram,
    version,
  });
}
