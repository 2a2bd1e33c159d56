import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  subscribeTo,
  type ServiceContext,
  type ServiceModule,
  type Subscription,
} from '@emporium/platform';
import { CATALOG_SCHEMA, type CatalogDB } from './schema.ts';
import { Catalog, stalePathPrefixes, type ChangeListener } from './catalog.ts';
import { CatalogCache } from './cache.ts';
import { AvailabilityCache } from './availability-cache.ts';
import { LocalBlobStore, type BlobStore } from './blob-store.ts';
import {
  registerCategoryRoutes,
  registerInternalRoutes,
  registerPublicRoutes,
  registerSellerRoutes,
} from './routes.ts';
import { drawPlaceholderImages, seedDemoCatalog } from './seed.ts';
import { ProductRatingChanged, StockChanged, type InventoryPort, type UsersPort } from './ports.ts';
import { applyReviewRating } from './review-ratings.ts';
import { installStarterTaxonomy } from './starter-taxonomy.ts';
import { CATALOG_EVENT_TYPES, type CatalogApi } from './types.ts';

export interface CatalogDeps {
  inventory?: InventoryPort;
  users?: UsersPort;
  /** Defaults to local disk under DATA_DIR/images. */
  blobs?: BlobStore;
  /**
   * Cache TTLs in seconds; 0 turns a cache off (benchmarks of the miss path). `availability` (default
   * 2 s) bounds how long a product page shows stock that changed in another process without an event.
   */
  cacheTtl?: { detail: number; listing: number; availability?: number };
  /** Draw the demo products' placeholder pictures after start (default: when seeding). */
  drawPlaceholders?: boolean;
}

/** The catalog's API as the composition root holds it: the contract plus change notifications. */
export interface LocalCatalogApi extends CatalogApi {
  /** Called after every committed change and again when its event arrives (gateway cache invalidation). */
  onChange(listener: ChangeListener): void;
}

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export async function createCatalogService(
  ctx: ServiceContext,
  deps: CatalogDeps = {},
): Promise<{ module: ServiceModule; api: LocalCatalogApi; catalog: Catalog }> {
  const { infra, config } = ctx;
  await infra.db.migrate(CATALOG_SCHEMA, [eventTablesMigration, ...(await loadMigrations(migrationsDir))]);
  const db = infra.db.forSchema<CatalogDB>(CATALOG_SCHEMA);
  const relay = new OutboxRelay(db, infra.bus, { logger: infra.logger });
  const cache = new CatalogCache(infra.cache, infra.metrics, deps.cacheTtl ?? { detail: 300, listing: 60 });
  const availability = new AvailabilityCache((deps.cacheTtl?.availability ?? 2) * 1000);
  const blobs = deps.blobs ?? new LocalBlobStore(join(config.dataDir, 'images'));
  const catalog = new Catalog({
    db,
    cache,
    availability,
    blobs,
    inventory: deps.inventory,
    users: deps.users,
    logger: infra.logger,
    storeCurrency: config.storeCurrency,
    afterCommit: () => relay.notify(),
  });

  await installStarterTaxonomy(db, catalog.taxonomy);
  const seeded = config.seedDemoData ? await seedDemoCatalog(catalog, infra.logger) : 0;
  // Subscribed while the services are built, before the reviews service's relay starts: an in-process
  // bus delivers only to the consumers present when an event is published.
  const reviewRatings = await subscribeTo(
    infra.bus,
    'catalog-review-ratings',
    ProductRatingChanged,
    async (event) => {
      if (!(await applyReviewRating(db, event))) return;
      relay.notify();
      await catalog.changed([event.data.productId]);
    },
    infra.logger,
  );
  let subscription: Subscription | undefined;
  let stockSubscription: Subscription | undefined;
  let stopping = false;
  let background: Promise<unknown> = Promise.resolve();
  let stockBackfill: Promise<unknown> = Promise.resolve();

  const module: ServiceModule = {
    name: 'catalog',
    onPublicChange: (drop) => catalog.onChange((change) => drop(stalePathPrefixes(change))),
    async routes(app) {
      registerPublicRoutes(app, catalog, blobs, config.publicCacheTtlSeconds);
      registerSellerRoutes(app, catalog);
      registerCategoryRoutes(app, catalog.categoryAdmin);
    },
    async internalRoutes(app) {
      registerInternalRoutes(app, catalog);
    },
    async start() {
      relay.start();
      // Another process's writes reach this one's caches through the events (bounded staleness).
      subscription = await infra.bus.subscribe('catalog-cache', CATALOG_EVENT_TYPES, async (event) => {
        await catalog.changed([event.subject]);
      });
      if (deps.inventory)
        stockSubscription = await subscribeTo(
          infra.bus,
          'catalog-availability',
          StockChanged,
          async (event) => {
            // First the availability, so a page rebuilt after the drop below reads the new stock.
            availability.invalidate([event.data.sku]);
            await catalog.recordStock([event.data.sku]);
            await catalog.stockChanged([event.data.sku]);
          },
          infra.logger,
        );
      if (deps.inventory)
        stockBackfill = catalog
          .backfillStock(() => stopping)
          .catch((err: unknown) => infra.logger.warn({ err }, 'in-stock backfill failed'));
      if (deps.drawPlaceholders ?? seeded > 0)
        background = drawPlaceholderImages(catalog, blobs, () => stopping).catch((err: unknown) =>
          infra.logger.warn({ err }, 'placeholder images failed'),
        );
    },
    async stop() {
      stopping = true;
      await background;
      await stockBackfill;
      await subscription?.stop();
      await stockSubscription?.stop();
      await reviewRatings.stop();
      await relay.stop();
    },
  };

  const api: LocalCatalogApi = {
    getVariants: (skus) => catalog.getVariants(skus),
    getProducts: (ids) => catalog.getProducts(ids),
    listAllProducts: (cursor, limit) => catalog.listAllProducts(cursor, limit),
    onChange: (listener) => catalog.onChange(listener),
  };
  return { module, api, catalog };
}
