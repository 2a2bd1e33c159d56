import { Type, type Static } from 'typebox';
import { defineEvent } from '@emporium/platform';

export type Stars = 1 | 2 | 3 | 4 | 5;
export type ReviewStatus = 'visible' | 'hidden';
export type ReviewSort = 'helpful' | 'newest' | 'rating_high' | 'rating_low';

export const HistogramSchema = Type.Object({
  '1': Type.Integer({ minimum: 0 }),
  '2': Type.Integer({ minimum: 0 }),
  '3': Type.Integer({ minimum: 0 }),
  '4': Type.Integer({ minimum: 0 }),
  '5': Type.Integer({ minimum: 0 }),
});
/** How many visible reviews gave each number of stars. */
export type Histogram = Static<typeof HistogramSchema>;

export interface RatingSummary {
  productId: string;
  /** Mean stars of the visible reviews, two decimals; 0 when there are none. */
  average: number;
  count: number;
  histogram: Histogram;
}

export interface Review {
  id: string;
  productId: string;
  rating: Stars;
  title: string;
  body: string;
  authorName: string;
  /** The author bought the product in an order that is paid and was not cancelled or refunded. */
  verifiedPurchase: boolean;
  helpfulVotes: number;
  createdAt: string;
  updatedAt: string;
}

/** A review as its author and the moderators see it. */
export interface ModeratedReview extends Review {
  status: ReviewStatus;
  reports: number;
  moderationNote?: string;
}

export interface ReviewInput {
  rating: number;
  title: string;
  body: string;
}

/** A new review may name the order it comes from, so a purchase just paid counts before its event. */
export interface NewReviewInput extends ReviewInput {
  orderId?: string;
}

export interface SellerRatingInput {
  orderId: string;
  sellerId: string;
  rating: number;
  comment?: string;
}

export interface SellerRating {
  orderId: string;
  sellerId: string;
  rating: Stars;
  comment?: string;
  createdAt: string;
}

/** A seller's standing over the last twelve months: 4 and 5 stars count as positive. */
export interface SellerRatingSummary {
  sellerId: string;
  /** Share of positive ratings in percent, one decimal; null when the seller has none in the window. */
  positivePercent: number | null;
  count: number;
  windowMonths: number;
}

/** What other services may ask the reviews service. */
export interface ReviewsApi {
  productRating(productId: string): Promise<RatingSummary>;
  sellerRating(sellerId: string): Promise<SellerRatingSummary>;
}

/**
 * A product's rating over its visible reviews changed (subject: the product id). `version` grows by one
 * with each change of that product, so a consumer can ignore an event older than what it applied.
 */
export const ProductRatingChanged = defineEvent(
  'reviews.product.rating_changed',
  Type.Object({
    productId: Type.String(),
    average: Type.Number({ minimum: 0, maximum: 5 }),
    count: Type.Integer({ minimum: 0 }),
    histogram: HistogramSchema,
    version: Type.Integer({ minimum: 1 }),
  }),
);
export type ProductRatingChangedEvent = Static<typeof ProductRatingChanged.schema>;

/** A seller's twelve-month rating changed (subject: the seller id); `version` as above. */
export const SellerRatingChanged = defineEvent(
  'reviews.seller.rating_changed',
  Type.Object({
    sellerId: Type.String(),
    positivePercent: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()]),
    count: Type.Integer({ minimum: 0 }),
    windowMonths: Type.Integer(),
    version: Type.Integer({ minimum: 1 }),
  }),
);
export type SellerRatingChangedEvent = Static<typeof SellerRatingChanged.schema>;
