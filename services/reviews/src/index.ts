// The reviews service's public entry: its API and types, the service factory, the HTTP client, events.
import { defineService, noSettings, requires } from '@emporium/platform';
import type {} from '@emporium/catalog';
import type {} from '@emporium/orders';
import type {} from '@emporium/users';
import type { ReviewsApi } from './types.ts';
import { createReviewsService } from './service.ts';
import { ReviewsHttpClient } from './client.ts';
export type {
  Histogram,
  ModeratedReview,
  ProductRatingChangedEvent,
  RatingSummary,
  Review,
  ReviewsApi,
  SellerRating,
  SellerRatingChangedEvent,
  SellerRatingSummary,
} from './types.ts';
export { ProductRatingChanged, SellerRatingChanged } from './types.ts';
export {
  createReviewsService,
  type ReviewsServiceDeps,
  type ReviewsServiceOptions,
  type ReviewsServiceParts,
} from './service.ts';
export { ReviewsHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    reviews: ReviewsApi;
  }
}

export const reviewsService = defineService({
  name: 'reviews',
  needs: { orders: requires('orders'), catalog: requires('catalog'), users: requires('users') },
  publicPaths: ['/reviews', '/seller-ratings', '/products/:id/reviews', '/sellers/:id/rating'],
  settings: noSettings,
  create: (ctx, deps) => createReviewsService(ctx, deps),
  client: (url, options) => new ReviewsHttpClient(url, options),
});
