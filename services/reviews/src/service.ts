import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { PurchaseProjection } from './purchases.ts';
import { ProductReviews, type ReviewsDeps } from './reviews.ts';
import { reviewInternalRoutes, reviewRoutes } from './routes.ts';
import { SellerRatings, type SellerRatingsDeps } from './seller-ratings.ts';
import { seedDemoReviews } from './seed.ts';
import { ReviewsStore, type ReviewsDB } from './store.ts';
import type { ReviewsApi } from './types.ts';

export type ReviewsServiceDeps = ReviewsDeps & SellerRatingsDeps;

export interface ReviewsServiceParts {
  module: ServiceModule;
  api: ReviewsApi;
  reviews: ProductReviews;
  sellers: SellerRatings;
  purchases: PurchaseProjection;
  relay: OutboxRelay;
  store: ReviewsStore;
}

export interface ReviewsServiceOptions {
  /** The PostgreSQL schema (default `reviews`); suites sharing a server take one of their own. */
  schema?: string;
}

export async function createReviewsService(
  ctx: ServiceContext,
  deps: ReviewsServiceDeps,
  options: ReviewsServiceOptions = {},
): Promise<ReviewsServiceParts> {
  const { infra, config } = ctx;
  const schema = options.schema ?? 'reviews';
  await infra.db.migrate(schema, [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const store = new ReviewsStore(infra.db.forSchema<ReviewsDB>(schema));
  const relay = new OutboxRelay(store.db, infra.bus, { logger: infra.logger });
  const afterCommit = () => relay.notify();
  const purchases = new PurchaseProjection(store, deps.orders, infra.logger);
  const reviews = new ProductReviews(store, deps, purchases, afterCommit);
  const sellers = new SellerRatings(store, deps, afterCommit);
  const subscriptions = await purchases.subscribe(infra.bus, infra.logger);
  if (config.seedDemoData) await seedDemoReviews(store, deps.catalog, infra.logger);
  const api: ReviewsApi = {
    productRating: (productId) => reviews.productRating(productId),
    sellerRating: (sellerId) => sellers.sellerRating(sellerId),
  };
  const module: ServiceModule = {
    name: 'reviews',
    routes: reviewRoutes(reviews, sellers),
    internalRoutes: reviewInternalRoutes(reviews, sellers),
    async start() {
      relay.start();
    },
    async stop() {
      for (const subscription of subscriptions) await subscription.stop();
      await relay.stop();
    },
  };
  return { module, api, reviews, sellers, purchases, relay, store };
}
