/**
 * `npm run search -- reindex`: rebuilds the index from the catalog, outside the server, and writes
 * the snapshot the service loads at its next start. The catalog and inventory are reached like the
 * server reaches them: over HTTP when SERVICE_URL_CATALOG / SERVICE_URL_INVENTORY are set, in
 * process on the configured database otherwise (stop an embedded server first: PGlite has one owner).
 */
import { CatalogHttpClient, createCatalogService, type CatalogApi } from '@emporium/catalog';
import { createInventoryService, InventoryHttpClient, type InventoryApi } from '@emporium/inventory';
import {
  openInfrastructure,
  serviceTokensFromConfig,
  type Config,
  type Infrastructure,
} from '@emporium/platform';
import type { Logger } from 'pino';
import { SearchIndexer, type RebuildProgress } from './indexer.ts';
import { defaultEngineOptions, snapshotPath } from './service.ts';

export interface ReindexReport {
  documents: number;
  snapshot: string;
  elapsedMs: number;
}

async function sources(
  config: Config,
  infra: Infrastructure,
): Promise<{ catalog: CatalogApi; inventory: InventoryApi }> {
  const ctx = { config: { ...config, seedDemoData: false }, infra };
  const remote = { tokens: serviceTokensFromConfig(config) };
  const inventory = config.serviceUrls.inventory
    ? new InventoryHttpClient(config.serviceUrls.inventory, remote)
    : (await createInventoryService(ctx, { sweepIntervalMs: 0 })).api;
  const catalog = config.serviceUrls.catalog
    ? new CatalogHttpClient(config.serviceUrls.catalog, remote)
    : (await createCatalogService(ctx, { inventory, drawPlaceholders: false })).api;
  return { catalog, inventory };
}

export async function reindexFromCatalog(
  config: Config,
  logger: Logger,
  onProgress: (p: RebuildProgress) => void,
): Promise<ReindexReport> {
  const infra = await openInfrastructure({
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    natsUrl: undefined,
    dataDir: config.dataDir,
    logger,
  });
  try {
    const indexer = new SearchIndexer({
      ...(await sources(config, infra)),
      engine: await defaultEngineOptions(),
    });
    const started = performance.now();
    const documents = await indexer.rebuild(onProgress);
    const snapshot = snapshotPath(config.dataDir);
    await indexer.saveSnapshot(snapshot);
    return { documents, snapshot, elapsedMs: performance.now() - started };
  } finally {
    await infra.close();
  }
}
