// The search service with the real catalog and inventory on the test infrastructure (both backends).
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Infrastructure } from '@emporium/platform';
import { buildTestApp, testBus, testInfrastructure, testTokens } from '@emporium/platform/testing';
import { createInventoryService } from '@emporium/inventory';
import { createCatalogService } from '@emporium/catalog';
import { createSearchService, snapshotPath } from './service.ts';

let infra: Infrastructure;
let config: ReturnType<typeof loadConfig>;
let built: Awaited<ReturnType<typeof build>>;
let app: Awaited<ReturnType<typeof buildTestApp>>;
let seller: string;
const tag = `z${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
/** A word no other product carries, more than two edits from any other (typo tolerance). */
const word = () =>
  Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

async function build() {
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const catalog = await createCatalogService({ config, infra }, { inventory: inventory.api });
  const search = await createSearchService(
    { config, infra },
    { catalog: catalog.api, inventory: inventory.api, snapshotIntervalMs: 0 },
  );
  return { inventory, catalog, search };
}

beforeAll(async () => {
  infra = await testInfrastructure({ bus: await testBus() });
  config = { ...loadConfig({}), dataDir: await mkdtemp(join(tmpdir(), 'search-svc-')), seedDemoData: false };
  built = await build();
  const tokens = await testTokens();
  seller = await tokens.tokenFor({ id: '01900000-0000-7000-8000-00000000beef', role: 'seller' });
  app = await buildTestApp(
    [built.inventory.module, built.catalog.module, built.search.module],
    tokens.verifier,
  );
  for (const m of [built.inventory.module, built.catalog.module, built.search.module]) await m.start?.();
  // On a shared PostgreSQL the catalog holds other suites' products too: the first build takes a while.
  await within(100_000, async () => built.search.state() === 'ready');
}, 120_000);

afterAll(async () => {
  for (const m of [built.search.module, built.catalog.module, built.inventory.module]) await m.stop?.();
  await app?.close();
  await infra?.close();
});

const auth = () => ({ authorization: `Bearer ${seller}` });
let skuCounter = 0;
let delta = '';
async function createProduct(title: string) {
  const sku = `${tag}-${skuCounter++}`.toUpperCase();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/seller/products',
    headers: auth(),
    payload: {
      title,
      description: 'For the search service test',
      brand: 'Testbrand',
      category: 'Tools/Power Tools',
      status: 'active',
      attributes: {},
      variants: [{ sku, price: { amount: 1999, currency: 'USD' }, attributes: {}, stock: 3 }],
    },
  });
  expect(res.statusCode).toBe(201);
  return { id: res.json().id as string, sku };
}

async function search(q: string, extra = '') {
  const res = await app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}${extra}` });
  expect(res.statusCode).toBe(200);
  return res.json() as { total: number; items: { id: string; title: string; inStock: boolean | null }[] };
}

/** Polls until `check` holds; returns the elapsed milliseconds. */
/** How long a test waits for the index to catch up where it measures nothing (a loaded CI is slow). */
const SETTLE_MS = 5_000;

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}

async function lagCount(): Promise<number> {
  const metric = await infra.metrics.getSingleMetricAsString('search_indexing_lag_seconds');
  return Number(/search_indexing_lag_seconds_count (\d+)/.exec(metric)?.[1] ?? 0);
}

describe('search service', () => {
  it('reflects a product update made through the catalog API within a second, and the lag metric shows it', async () => {
    const [alpha, beta] = [word(), word()];
    const product = await createProduct(`${alpha} Impact Driver`);
    await within(SETTLE_MS, async () => (await search(`${alpha}`)).total === 1);
    const before = await lagCount();
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/seller/products/${product.id}`,
      headers: auth(),
      payload: { title: `${beta} Impact Driver` },
    });
    expect(patch.statusCode).toBe(200);
    const ms = await within(1_000, async () => {
      const hit = await search(`${beta}`);
      return hit.total === 1 && hit.items[0]?.title === `${beta} Impact Driver`;
    });
    expect(ms).toBeLessThan(1_000);
    expect((await search(`${alpha}`)).total).toBe(0);
    expect(await lagCount()).toBeGreaterThan(before);
    expect(await infra.metrics.getSingleMetricAsString('search_indexing_last_lag_seconds')).toMatch(
      /search_indexing_last_lag_seconds \d/,
    );
  });

  it('follows stock changes into the inStock filter and removes archived products', async () => {
    const gamma = word();
    const product = await createProduct(`${gamma} Sander`);
    await within(SETTLE_MS, async () => (await search(`${gamma}`, '&inStock=true')).total === 1);
    const stock = await app.inject({
      method: 'PUT',
      url: `/api/v1/seller/inventory/${product.sku}`,
      headers: auth(),
      payload: { onHand: 0 },
    });
    expect(stock.statusCode).toBe(200);
    await within(SETTLE_MS, async () => (await search(`${gamma}`, '&inStock=false')).total === 1);
    const archived = await app.inject({
      method: 'DELETE',
      url: `/api/v1/seller/products/${product.id}`,
      headers: auth(),
    });
    expect(archived.statusCode).toBeLessThan(300);
    await within(SETTLE_MS, async () => (await search(`${gamma}`)).total === 0);
  });

  it('writes a snapshot on stop and a restarted service loads it, ready at once', async () => {
    delta = word();
    await createProduct(`${delta} Router`);
    await within(SETTLE_MS, async () => (await search(`${delta}`)).total === 1);
    await built.search.module.stop?.();
    expect(existsSync(snapshotPath(config.dataDir))).toBe(true);
    const restarted = await createSearchService(
      { config, infra },
      { catalog: built.catalog.api, inventory: built.inventory.api, snapshotIntervalMs: 0 },
    );
    expect(restarted.state()).toBe('ready');
    const found = await restarted.api.search({ q: `${delta}` });
    expect(found.items.map((i) => i.title)).toEqual([`${delta} Router`]);
    await restarted.module.stop?.();
  });

  it('reports indexing until a first build from the catalog is done', async () => {
    const fresh = { ...config, dataDir: await mkdtemp(join(tmpdir(), 'search-fresh-')) };
    const search = await createSearchService(
      { config: fresh, infra },
      { catalog: built.catalog.api, inventory: built.inventory.api, snapshotIntervalMs: 0 },
    );
    await expect(search.module.readiness?.search?.()).rejects.toThrow('indexing');
    await search.module.start?.();
    await within(100_000, async () => search.state() === 'ready');
    const found = await search.api.search({ q: `${delta}` });
    expect(found.total).toBe(1);
    await search.module.stop?.();
    expect(existsSync(snapshotPath(fresh.dataDir))).toBe(true);
  }, 120_000);
});
