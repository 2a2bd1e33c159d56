/**
 * The recommendations service (issue 8): signals in, a model trained offline in a worker and swapped in
 * atomically, recommendations served online with cold-start paths (ADR 0310).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CartApi } from '@emporium/cart';
import { ProductChanged, type CatalogApi } from '@emporium/catalog';
import { StockChanged, type InventoryApi } from '@emporium/inventory';
import { OrderPaid } from '@emporium/orders';
import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  subscribeTo,
  type JobDefinition,
  type ServiceContext,
  type ServiceModule,
  type Subscription,
} from '@emporium/platform';
import { ModelSlot } from '../model/recommend.ts';
import { BEST_MODEL, type ModelKind } from '../model/train.ts';
import { Catalogue } from './catalogue.ts';
import { ContextCache } from './context-cache.ts';
import { ProductCache } from './product-cache.ts';
import { StockCache } from './stock-cache.ts';
import { recsMetrics } from './metrics.ts';
import { Recommender, type ServingOptions } from './recommender.ts';
import { internalRoutes, publicRoutes } from './routes.ts';
import { Signals } from './signals.ts';
import { RecsStore, type RecsDB } from './store.ts';
import { Trainer } from './trainer.ts';
import type { Actor, BehaviourEvent, ModelInfo, RecommendationRequest, RecommendationsApi } from './types.ts';

export interface RecommendationsOptions {
  /** Retrain this often when the log has grown (default 10 minutes; 0: only at start and on demand). */
  trainIntervalMs?: number;
  /** Train at start when no model is on disk (default true). */
  trainAtStart?: boolean;
  /** Train in a worker thread (default true). */
  trainInWorker?: boolean;
  modelKind?: ModelKind;
  /** Interactions older than this are deleted (default 180 days). */
  retentionDays?: number;
  /** Behaviour events kept per user or anonymous session, newest first (default 500). */
  capPerActor?: number;
  sweepIntervalMs?: number;
  /** Sequences of two or more items needed before a model is trained (default 5). */
  minSequences?: number;
  /** Rebuild the content index at most this often after catalogue changes (default 60 s). */
  contentRebuildMs?: number;
  /** How long a hydrated product is reused without a catalog event (default 60 s; 0: always ask). */
  productCacheMs?: number;
  /**
   * How long a sku's availability is reused (default 5 s; 0: ask inventory per request). An
   * inventory.stock.changed event drops it at once; the TTL only bounds a lost event.
   */
  stockCacheMs?: number;
  /**
   * How long a caller's recent events are reused between requests (default 30 s; 0: read per request).
   * This process's writes drop them at once; the TTL bounds what another replica's writes can cost.
   */
  contextCacheMs?: number;
  serving?: Partial<ServingOptions>;
}

export interface RecommendationsDeps {
  catalog: Pick<CatalogApi, 'getProducts' | 'getVariants' | 'listAllProducts'>;
  inventory: Pick<InventoryApi, 'getAvailability'>;
  /** When present, the cart placement reads a signed-in customer's cart from it. */
  cart?: Pick<CartApi, 'getCustomerCart'>;
  options?: RecommendationsOptions;
}

export const DEFAULT_SERVING: ServingOptions = {
  recentEvents: 50,
  trendingWindowDays: 14,
  trendingHalfLifeHours: 48,
  trendingCacheSeconds: 60,
};

export const artifactDir = (dataDir: string) => join(dataDir, 'recs');

export async function createRecommendationsService(
  ctx: ServiceContext,
  deps: RecommendationsDeps,
): Promise<{ module: ServiceModule; api: RecommendationsApi & { trainer: Trainer; signals: Signals } }> {
  const { config, infra } = ctx;
  const o = deps.options ?? {};
  const log = infra.logger.child({ service: 'recommendations' });
  await infra.db.migrate('recs', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../../migrations', import.meta.url).pathname)),
  ]);
  const db = infra.db.forSchema<RecsDB>('recs');
  const store = new RecsStore(db);
  const metrics = recsMetrics(infra.metrics);
  const catalogue = new Catalogue(deps.catalog, o.contentRebuildMs ?? 60_000);
  const slot = new ModelSlot();
  const products = new ProductCache(deps.catalog, o.productCacheMs ?? 60_000);
  const stock = new StockCache(deps.inventory, o.stockCacheMs ?? 5_000);
  const contexts = new ContextCache(o.contextCacheMs ?? 30_000);
  // Publishes the behaviour events the signal writer puts in the outbox with its rows.
  const relay = new OutboxRelay(db, infra.bus, { logger: log });
  const signals = new Signals(store, db, deps.catalog, products, o.capPerActor ?? 500, (rows) => {
    contexts.invalidate(
      rows.flatMap((r) => (r.userId ? [r.userId] : [])),
      rows.flatMap((r) => (r.sessionId ? [r.sessionId] : [])),
    );
    relay.notify();
  });
  const trainer = new Trainer(store, catalogue, slot, {
    dir: artifactDir(config.dataDir),
    kind: o.modelKind ?? BEST_MODEL,
    inWorker: o.trainInWorker ?? true,
    minSequences: o.minSequences ?? 5,
    keep: 3,
    logger: log,
  });
  trainer.onSwap = (info) => metrics.modelTrained(info);
  const recommender = new Recommender({
    store,
    contexts,
    catalogue,
    slot,
    products,
    inventory: stock,
    ...(deps.cart ? { cart: deps.cart } : {}),
    cache: infra.cache,
    options: { ...DEFAULT_SERVING, ...o.serving },
  });
  // subscribed while services are built, before any relay publishes: nothing emitted at start is missed
  const subscriptions: Subscription[] = [
    await subscribeTo(infra.bus, 'recs-orders', OrderPaid, (e) => signals.onOrderPaid(e), log),
    await subscribeTo(infra.bus, 'recs-stock', StockChanged, async (e) => stock.evict(e.data.sku), log),
    await subscribeTo(
      infra.bus,
      'recs-catalog',
      ProductChanged,
      async (e) => {
        catalogue.apply(e.data);
        products.evict(e.data.id);
      },
      log,
    ),
  ];
  let stopping = false;
  let background: Promise<unknown> = Promise.resolve();
  const jobs = recommendationJobs(o, trainer, store, log);

  const api = {
    trainer,
    signals,
    recommend: async (req: RecommendationRequest) => {
      const list = await recommender.recommend(req);
      metrics.served(req.placement, list.strategy);
      return list;
    },
    record: (actor: Actor, events: BehaviourEvent[]) => signals.record(actor, events),
    train: (): Promise<ModelInfo | undefined> => trainer.train(),
  };

  const module: ServiceModule = {
    name: 'recommendations',
    routes: publicRoutes(api),
    internalRoutes: internalRoutes(api),
    jobs,
    readiness: {
      // until the catalogue is known a cold store could only answer from trending, often nearly nothing
      'recommendations-catalogue': async () => {
        if (!catalogue.loaded) throw new Error('catalogue not loaded yet');
      },
    },
    async start() {
      relay.start();
      await trainer.loadCurrent();
      // catalogue and first training run in the background: start-up never waits for them
      background = (async () => {
        await catalogue
          .load(() => stopping)
          .catch((err: unknown) => log.warn({ err }, 'catalogue load failed'));
        if (!stopping && !slot.get() && (o.trainAtStart ?? true)) await trainer.trainIfStale();
      })().catch((err: unknown) => log.warn({ err }, 'recommendations training at start failed'));
    },
    async stop() {
      stopping = true;
      for (const s of subscriptions) await s.stop();
      trainer.stop();
      await signals.flush();
      await relay.stop();
      await background;
    },
  };
  return { module, api };
}

/**
 * Training and the retention sweep work on the shared log, so one replica does each at a time; every
 * replica picks up the artifact the trainer wrote when their data directory is shared.
 */
function recommendationJobs(
  o: RecommendationsOptions,
  trainer: Trainer,
  store: RecsStore,
  log: Logger,
): JobDefinition[] {
  const trainEvery = o.trainIntervalMs ?? 10 * 60_000;
  return [
    {
      name: 'recommendations.model-reload',
      everyMs: trainEvery,
      exclusive: false,
      async run() {
        await trainer.reloadIfChanged();
      },
    },
    {
      name: 'recommendations.training',
      everyMs: trainEvery,
      async run(signal) {
        // The worker is terminated rather than left to finish for a process that lost the job or stops.
        const cancel = () => trainer.cancel();
        signal.addEventListener('abort', cancel, { once: true });
        try {
          // A model another process trained since is loaded first, so it is not trained again here.
          await trainer.reloadIfChanged();
          if (!signal.aborted) await trainer.trainIfStale();
        } finally {
          signal.removeEventListener('abort', cancel);
        }
      },
    },
    {
      name: 'recommendations.interaction-sweep',
      everyMs: o.sweepIntervalMs ?? 60 * 60_000,
      async run() {
        const n = await store.sweep(o.retentionDays ?? 180);
        if (n > 0) log.info({ deleted: n }, 'old interactions swept');
      },
    },
  ];
}
