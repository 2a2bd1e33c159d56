import { AppError, conflict, notFound, validation, type AuthUser } from '@emporium/platform';
import type { OrdersApi } from '@emporium/orders';
import type { UsersApi } from '@emporium/users';
import { PURCHASED_STATUSES, SELLER_WINDOW_MONTHS, type ReviewsStore } from './store.ts';
import {
  SellerRatingChanged,
  type SellerRating,
  type SellerRatingInput,
  type SellerRatingSummary,
  type Stars,
} from './types.ts';

export interface SellerRatingsDeps {
  orders: Pick<OrdersApi, 'getOrder'>;
  users: Pick<UsersApi, 'getSellers'>;
}

export const COMMENT_MAX = 1000;

/** Percent with one decimal, as marketplaces show a seller's feedback ("98.7% positive"). */
export const positivePercentOf = (w: { count: number; positive: number }): number | null =>
  w.count === 0 ? null : Math.round((w.positive / w.count) * 1000) / 10;

const purchased = new Set<string>(PURCHASED_STATUSES);

/** A customer rates each seller of a paid order once; the seller's standing is its last twelve months. */
export class SellerRatings {
  constructor(
    private readonly store: ReviewsStore,
    private readonly deps: SellerRatingsDeps,
    private readonly afterCommit: () => void,
  ) {}

  async rate(user: AuthUser, input: SellerRatingInput): Promise<SellerRating> {
    const comment = input.comment?.trim() || null;
    // The order is read from the orders service, not the projection: the customer has just seen it.
    const order = await this.deps.orders.getOrder(input.orderId);
    if (!order || order.customerId !== user.id) throw notFound('Order');
    if (!purchased.has(order.status))
      throw new AppError(
        'Unprocessable',
        `An order can be rated once it is paid; this one is ${order.status}`,
      );
    if (!order.lines.some((line) => line.sellerId === input.sellerId))
      throw validation('This seller sold nothing in the order', [
        { field: 'sellerId', message: 'is not a seller of this order' },
      ]);
    const rating = await this.store.changeSellerRatings(
      input.sellerId,
      async (store) => {
        const inserted = await store.insertSellerRating({
          orderId: order.id,
          sellerId: input.sellerId,
          customerId: user.id,
          rating: input.rating as Stars,
          comment,
        });
        if (!inserted) throw conflict('You have already rated this seller for this order');
        return inserted;
      },
      (window, version) =>
        SellerRatingChanged.create(input.sellerId, {
          sellerId: input.sellerId,
          positivePercent: positivePercentOf(window),
          count: window.count,
          windowMonths: SELLER_WINDOW_MONTHS,
          version,
        }),
    );
    this.afterCommit();
    return rating;
  }

  /** The caller's ratings of the sellers of one of their orders. */
  async ofOrder(user: AuthUser, orderId: string): Promise<SellerRating[]> {
    return this.store.sellerRatingsOfOrder(orderId, user.id);
  }

  async summary(sellerId: string): Promise<SellerRatingSummary> {
    const [seller] = await this.deps.users.getSellers([sellerId]);
    if (!seller) throw notFound('Seller');
    return this.sellerRating(sellerId);
  }

  async sellerRating(sellerId: string): Promise<SellerRatingSummary> {
    const window = await this.store.sellerWindow(sellerId);
    return {
      sellerId,
      positivePercent: positivePercentOf(window),
      count: window.count,
      windowMonths: SELLER_WINDOW_MONTHS,
    };
  }
}
