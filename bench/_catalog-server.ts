// A server for the catalog benchmark, in its own process. `bare`: a plain Fastify hello world (the
// baseline). `catalog` / `catalog-nocache`: the platform server with the gateway chain, inventory and the
// catalog seeded with the demo data on embedded infrastructure; the latter without cache-aside.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import {
  createHttpServer,
  loadConfig,
  mountService,
  openInfrastructure,
  registerAuthHook,
} from '@emporium/platform';
import { testTokens } from '@emporium/platform/testing';
import { registerGateway } from '@emporium/gateway';
import { createInventoryService } from '@emporium/inventory';
import { createCatalogService, stalePathPrefixes } from '@emporium/catalog';

const mode = process.argv[2];

if (mode === 'bare') {
  const app = Fastify();
  app.get('/', async () => ({ hello: 'world' }));
  console.log(`LISTENING ${await app.listen({ port: 0, host: '127.0.0.1' })}`);
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'catalog-bench-'));
  const config = { ...loadConfig({}), dataDir, seedDemoData: true, logLevel: 'warn' };
  const logger = pino({ level: 'warn' });
  const infra = await openInfrastructure({
    databaseUrl: undefined,
    redisUrl: undefined,
    natsUrl: undefined,
    dataDir,
    logger,
  });
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const catalog = await createCatalogService(
    { config, infra },
    {
      inventory: inventory.api,
      drawPlaceholders: false,
      ...(mode === 'catalog-nocache' ? { cacheTtl: { detail: 0, listing: 0, availability: 0 } } : {}),
    },
  );
  const app = createHttpServer({ name: 'bench', logLevel: 'warn', metrics: infra.metrics });
  registerAuthHook(app, (await testTokens()).verifier);
  const gateway = await registerGateway(app, {
    cache: infra.cache,
    metrics: infra.metrics,
    rateLimitPerMinute: 100_000_000,
    deploymentName: 'emporium',
    remoteServices: [],
  });
  catalog.api.onChange(async (change) => {
    for (const prefix of stalePathPrefixes(change)) await gateway.invalidate(prefix);
  });
  await mountService(app, inventory.module);
  await mountService(app, catalog.module);
  await catalog.module.start?.();
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const [first] = (await catalog.api.listAllProducts(undefined, 1)).items;
  console.log(`PRODUCT ${first?.id}`);
  console.log(`LISTENING ${url}`);
}
