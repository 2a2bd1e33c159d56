// In-memory stand-ins for the catalog and inventory APIs the service calls, and a harness that builds the
// service on the test database, cache and bus (PGlite/memory, or PostgreSQL/Redis/NATS when set).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogApi, ProductDocument, ProductSummary, VariantSummary } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';
import { loadConfig, createMetricsRegistry, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  silentLogger,
  testBus,
  testCache,
  testDatabase,
  testTokens,
  testUrls,
} from '@emporium/platform/testing';
import { sql } from 'kysely';
import { createRecommendationsService, type RecommendationsOptions } from './service.ts';

const names = new Map<string, string>();

/** The product id a test calls by a readable name: a uuid like the catalog's, the same for every run. */
export function pid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  names.set(id, name);
  return id;
}

/** The readable name of an id made by `pid` (the id itself when it was not). */
export const nameOf = (id: string): string => names.get(id) ?? id;

/** A product known by its readable name; its id is `pid(name)` and its one sku `<name>-sku`. */
export function product(name: string, overrides: Partial<ProductDocument> = {}): ProductDocument {
  return {
    id: pid(name),
    title: `Product ${name}`,
    description: '',
    brand: 'Acme',
    categoryPath: ['Beauty', 'Hair'],
    attributes: {},
    price: { amount: 1000, currency: 'USD' },
    rating: 4,
    ratingCount: 10,
    sellerId: 's1',
    status: 'active',
    createdAt: '2025-01-01T00:00:00.000Z',
    skus: [`${name}-sku`],
    ...overrides,
  };
}

export class FakeCatalog implements CatalogApi {
  readonly products = new Map<string, ProductDocument>();
  getProductsCalls = 0;

  constructor(docs: ProductDocument[] = []) {
    for (const d of docs) this.products.set(d.id, d);
  }

  async getVariants(skus: string[]): Promise<VariantSummary[]> {
    return [...this.products.values()].flatMap((p) =>
      p.skus
        .filter((s) => skus.includes(s))
        .map((sku) => ({
          sku,
          productId: p.id,
          sellerId: p.sellerId,
          title: p.title,
          price: p.price,
          status: p.status,
        })),
    );
  }

  async getProducts(ids: string[]): Promise<ProductSummary[]> {
    this.getProductsCalls++;
    return ids.flatMap((id) => {
      const p = this.products.get(id);
      if (!p) return [];
      const { description: _d, attributes: _a, createdAt: _c, ...summary } = p;
      return [summary];
    });
  }

  async listAllProducts(cursor?: string, limit = 500) {
    const all = [...this.products.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const from = cursor ? all.findIndex((p) => p.id > cursor) : 0;
    const items = from < 0 ? [] : all.slice(from, from + limit);
    const more = from >= 0 && from + limit < all.length;
    return { items, ...(more ? { nextCursor: items.at(-1)!.id } : {}) };
  }
}

export class FakeInventory implements Pick<InventoryApi, 'getAvailability'> {
  readonly outOfStock = new Set<string>();
  calls = 0;

  async getAvailability(skus: string[]) {
    this.calls++;
    return Object.fromEntries(
      skus.map((s) => [s, { available: this.outOfStock.has(s) ? 0 : 5, inStock: !this.outOfStock.has(s) }]),
    );
  }
}

export async function recsHarness(products: ProductDocument[], options: RecommendationsOptions = {}) {
  const db = await testDatabase();
  const cache = await testCache();
  const bus = await testBus();
  const dataDir = mkdtempSync(join(tmpdir(), 'recs-test-'));
  const infra: Infrastructure = {
    db,
    cache,
    redis: undefined,
    deploymentName: 'emporium',
    bus,
    metrics: createMetricsRegistry(),
    logger: silentLogger(),
    close: async () => {},
  };
  const config = loadConfig({ DATA_DIR: dataDir, SEED_DEMO_DATA: 'false' });
  const catalog = new FakeCatalog(products);
  const inventory = new FakeInventory();
  const build = (extra: RecommendationsOptions = {}) =>
    createRecommendationsService(
      { config, infra },
      {
        catalog,
        inventory,
        options: {
          trainIntervalMs: 0,
          sweepIntervalMs: 0,
          trainAtStart: false,
          trainInWorker: false,
          minSequences: 2,
          contentRebuildMs: 0,
          // tests change the fake catalog and stock without events: ask them every time
          productCacheMs: 0,
          stockCacheMs: 0,
          serving: { trendingCacheSeconds: 0 },
          ...options,
          ...extra,
        },
      },
    );
  const service = await build();
  // on a shared PostgreSQL server the recs schema outlives a suite: start each one from an empty log
  if (testUrls.database) {
    await sql`truncate recs.interactions, recs.model_versions, recs.processed_events`.execute(
      db.forSchema('recs'),
    );
  }
  await service.module.start?.();
  const tokens = await testTokens();
  const app = await buildTestApp([service.module], tokens.verifier);
  return {
    ...service,
    db,
    bus,
    app,
    catalog,
    inventory,
    dataDir,
    build,
    tokens,
    async close() {
      await app.close();
      await service.module.stop?.();
      await bus.close();
      await cache.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
