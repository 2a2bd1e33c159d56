// `npm run recs -- train --from-db`: trains from the service's interaction log outside the server.
import pino from 'pino';
import { CatalogHttpClient, createCatalogService, type CatalogApi } from '@emporium/catalog';
import {
  loadConfig,
  openInfrastructure,
  serviceTokensFromConfig,
  type Infrastructure,
} from '@emporium/platform';
import { ModelSlot } from '../model/recommend.ts';
import type { ModelKind } from '../model/train.ts';
import { Catalogue } from './catalogue.ts';
import { artifactDir } from './service.ts';
import { RecsStore, type RecsDB } from './store.ts';
import { Trainer } from './trainer.ts';
import type { ModelInfo } from './types.ts';
import { eventTablesMigration, loadMigrations } from '@emporium/platform';

export interface TrainFromDbOptions {
  kind: ModelKind;
  /** Artifact folder; default `<DATA_DIR>/recs`, where the server loads it from. */
  out?: string;
}

/**
 * Reads the log from DATABASE_URL (or the embedded PGlite under DATA_DIR: stop the server first, PGlite
 * has one owner) and the catalogue from SERVICE_URL_CATALOG or the catalog tables of the same database.
 * The server picks the new artifact up at its next scheduled check.
 */
export async function trainFromDatabase(options: TrainFromDbOptions): Promise<ModelInfo | undefined> {
  const config = { ...loadConfig(), seedDemoData: false };
  const logger = pino({ level: 'debug', base: null }, pino.destination(2));
  const infra = await openInfrastructure({
    databaseUrl: config.databaseUrl,
    redisUrl: undefined,
    natsUrl: undefined,
    dataDir: config.dataDir,
    logger,
  });
  try {
    await infra.db.migrate('recs', [
      eventTablesMigration,
      ...(await loadMigrations(new URL('../../migrations', import.meta.url).pathname)),
    ]);
    const catalogue = new Catalogue(await catalogSource(config.serviceUrls.catalog, config, infra));
    logger.info({ products: await catalogue.load() }, 'catalogue loaded');
    const trainer = new Trainer(
      new RecsStore(infra.db.forSchema<RecsDB>('recs')),
      catalogue,
      new ModelSlot(),
      {
        dir: options.out ?? artifactDir(config.dataDir),
        kind: options.kind,
        inWorker: false,
        minSequences: 2,
        keep: 3,
        logger,
      },
    );
    return await trainer.train();
  } finally {
    await infra.close();
  }
}

async function catalogSource(
  url: string | undefined,
  config: ReturnType<typeof loadConfig>,
  infra: Infrastructure,
): Promise<Pick<CatalogApi, 'listAllProducts'>> {
  if (url) return new CatalogHttpClient(url, { tokens: serviceTokensFromConfig(config) });
  return (await createCatalogService({ config, infra }, { drawPlaceholders: false })).api;
}
