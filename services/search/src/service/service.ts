/**
 * The search service: the embedded engine behind the public routes, kept current by catalog and
 * inventory events, persisted as a snapshot so a restart loads instead of rebuilding (ADR 0203).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProductChanged, type CatalogApi } from '@emporium/catalog';
import { StockChanged, type InventoryApi } from '@emporium/inventory';
import type {
  DomainEvent,
  JobDefinition,
  ServiceContext,
  ServiceModule,
  Subscription,
} from '@emporium/platform';
import type { EngineOptions } from '../embedded/engine.ts';
import { DEFAULT_RANKER_PATH, loadRanker } from '../ranker/ranker.ts';
import { loadSynonyms } from '../synonyms.ts';
import { ResultsAggregator } from './aggregator.ts';
import { SearchIndexer } from './indexer.ts';
import { SearchPipeline, type SearchApi } from './pipeline.ts';
import { RecentCategories } from './recent.ts';
import { registerInternalRoutes, registerPublicRoutes } from './routes.ts';
import { indexingMetrics, type IndexingMetrics } from './telemetry.ts';

export interface SearchDeps {
  catalog: CatalogApi;
  inventory: InventoryApi;
  /** How often a changed index is written to disk (default 60 s; 0 = only on stop). */
  snapshotIntervalMs?: number;
  /** Engine settings; defaults to the shipped synonyms and ranker model. */
  engine?: Partial<EngineOptions>;
}

export type IndexState = 'indexing' | 'ready';

export const snapshotPath = (dataDir: string) => join(dataDir, 'search', 'index.snapshot');
const SYNONYMS_PATH = new URL('../../synonyms.txt', import.meta.url).pathname;

export async function defaultEngineOptions(): Promise<Partial<EngineOptions>> {
  return {
    synonyms: await loadSynonyms(SYNONYMS_PATH),
    ranker: await loadRanker(DEFAULT_RANKER_PATH.pathname),
  };
}

export async function createSearchService(
  ctx: ServiceContext,
  deps: SearchDeps,
): Promise<{ module: ServiceModule; api: SearchApi; indexer: SearchIndexer; state: () => IndexState }> {
  const { config, infra } = ctx;
  const log = infra.logger.child({ service: 'search' });
  const metrics = indexingMetrics(infra.metrics);
  const engine = deps.engine ?? (await defaultEngineOptions());
  const indexer = new SearchIndexer({ ...deps, engine, metrics, logger: log });
  const file = snapshotPath(config.dataDir);
  let state: IndexState = 'indexing';
  if (existsSync(file)) {
    try {
      const n = await indexer.loadSnapshot(file);
      state = 'ready';
      log.info({ documents: n, file }, 'search index loaded from snapshot');
    } catch (err) {
      log.warn({ err, file }, 'search snapshot unreadable; rebuilding from the catalog');
    }
  }
  // Subscribed while the services are being built, before any relay starts: nothing published at
  // start is missed, and a snapshot is already loaded for the handlers to apply to.
  const subscriptions: Subscription[] = [
    await infra.bus.subscribe('search-catalog', ['catalog.>'], async (e) =>
      onCatalogEvent(indexer, metrics, e),
    ),
    await infra.bus.subscribe('search-inventory', ['inventory.>'], async (e) =>
      onInventoryEvent(indexer, metrics, e),
    ),
  ];
  const pipeline = new SearchPipeline(
    indexer,
    new ResultsAggregator(deps.catalog, deps.inventory),
    new RecentCategories(),
  );
  let stopping = false;
  let building: Promise<void> = Promise.resolve();
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    saving = saving
      .then(() => (state === 'ready' && indexer.dirty > 0 ? indexer.saveSnapshot(file) : undefined))
      .catch((err: unknown) => log.warn({ err }, 'search snapshot failed'));
    return saving;
  };

  const buildInBackground = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const started = performance.now();
        const n = await indexer.rebuild(undefined, () => stopping);
        if (stopping) return;
        state = 'ready';
        log.info({ documents: n, ms: Math.round(performance.now() - started) }, 'search index built');
        await save();
        return;
      } catch (err) {
        log.warn({ err, attempt }, 'search index build failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1_000 * attempt)));
      }
    }
  };

  // Every process saves its own in-memory index to its own disk: not exclusive.
  const snapshots: JobDefinition = {
    name: 'search.snapshot-save',
    everyMs: deps.snapshotIntervalMs ?? 60_000,
    exclusive: false,
    run: save,
  };

  const module: ServiceModule = {
    name: 'search',
    async routes(app) {
      registerPublicRoutes(app, pipeline);
    },
    async internalRoutes(app) {
      registerInternalRoutes(app, pipeline);
    },
    jobs: [snapshots],
    async start() {
      if (state !== 'ready') building = buildInBackground();
    },
    async stop() {
      stopping = true;
      for (const s of subscriptions) await s.stop();
      await building;
      await save();
    },
    readiness: {
      search: async () => {
        if (state !== 'ready') throw new Error(state);
      },
    },
  };
  return { module, api: pipeline, indexer, state: () => state };
}

function observe(metrics: IndexingMetrics, event: DomainEvent, applied: boolean): void {
  metrics.applied.inc({ kind: applied ? 'applied' : 'stale' });
  if (!applied) return;
  const lag = Math.max(0, (Date.now() - Date.parse(event.occurredAt)) / 1000);
  metrics.lag.observe(lag);
  metrics.lastLag.set(lag);
}

async function onCatalogEvent(indexer: SearchIndexer, metrics: IndexingMetrics, e: DomainEvent) {
  // The consumer takes every catalog event; only product events carry a document to index.
  if (!ProductChanged.is(e)) {
    metrics.applied.inc({ kind: 'ignored' });
    return;
  }
  observe(metrics, e, indexer.applyProduct(e.data, Date.parse(e.occurredAt)));
  metrics.documents.set(indexer.index.size());
}

async function onInventoryEvent(indexer: SearchIndexer, metrics: IndexingMetrics, e: DomainEvent) {
  if (!StockChanged.is(e)) {
    metrics.applied.inc({ kind: 'ignored' });
    return;
  }
  observe(metrics, e, indexer.applyStock(e.data.sku, e.data.inStock, Date.parse(e.occurredAt)));
}
