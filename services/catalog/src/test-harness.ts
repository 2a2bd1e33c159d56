// Builds the catalog (with the real inventory service) on the test infrastructure, for the suites.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, loadConfig, mountService, registerAuthHook, type Env } from '@emporium/platform';
import { testBus, testInfrastructure, testServiceTokens, testTokens } from '@emporium/platform/testing';
import { createInventoryService, type InventoryApi } from '@emporium/inventory';
import { registerGateway } from '@emporium/gateway';
import { createCatalogService, type CatalogDeps } from './service.ts';
import { stalePathPrefixes } from './catalog.ts';
import { GENERATED_CATEGORY_PATHS } from './generator.ts';

const TEST_CATEGORIES = ['Food', 'Tools/Hammers', 'Tools/Saws', 'Art', 'Sports/Running/Shoes'];

/**
 * `reach` stands between the catalog and the real inventory: a suite makes inventory unreachable for the
 * catalog's calls (an outage, a process stopping after its commit) while inventory itself keeps working.
 */
export async function catalogHarness(
  deps: Partial<CatalogDeps> = {},
  reach: (inventory: InventoryApi) => InventoryApi = (inventory) => inventory,
  env: Env = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'catalog-test-'));
  const infra = await testInfrastructure({ bus: await testBus() });
  const config = { ...loadConfig(env), dataDir, seedDemoData: false };
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const built = await createCatalogService({ config, infra }, { inventory: reach(inventory.api), ...deps });
  const tokens = await testTokens();
  const app = createHttpServer({ name: 'test', logLevel: 'silent', metrics: infra.metrics });
  registerAuthHook(app, tokens.verifier, testServiceTokens);
  const gateway = await registerGateway(app, {
    cache: infra.cache,
    metrics: infra.metrics,
    rateLimitPerMinute: 1_000_000,
    deploymentName: 'emporium',
    remoteServices: [],
  });
  built.api.onChange(async (change) => {
    for (const prefix of stalePathPrefixes(change)) await gateway.invalidate(prefix);
  });
  // The categories the suites write into, created as an admin would (sellers pick from the tree).
  await built.catalog.taxonomy.ensurePaths([...TEST_CATEGORIES, ...GENERATED_CATEGORY_PATHS]);
  await mountService(app, inventory.module);
  await mountService(app, built.module);
  await app.ready();
  return {
    ...built,
    config,
    infra,
    inventory: inventory.api,
    inventoryModule: inventory.module,
    app,
    tokens,
    async close() {
      await built.module.stop?.();
      await inventory.module.stop?.();
      await app.close();
      await infra.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof catalogHarness>>;

let counter = 0;
/** A product body with skus unique to this run, so suites on a shared server never collide. */
export function productBody(overrides: Record<string, unknown> = {}) {
  const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    title: `Trail Runner ${tag}`,
    description: 'A light shoe for long runs',
    brand: 'Acme',
    category: 'Sports/Running/Shoes',
    attributes: { material: 'mesh' },
    status: 'active',
    variants: [
      { sku: `TR-${tag}-42`, price: { amount: 8999, currency: 'EUR' }, attributes: { size: '42' }, stock: 5 },
      { sku: `TR-${tag}-43`, price: { amount: 9499, currency: 'EUR' }, attributes: { size: '43' } },
    ],
    ...overrides,
  };
}
