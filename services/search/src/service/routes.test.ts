import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMetricsRegistry,
  InProcessEventBus,
  loadConfig,
  MemoryCache,
  type Infrastructure,
  type SqlDatabase,
} from '@emporium/platform';
import { buildTestApp, silentLogger, testTokens } from '@emporium/platform/testing';
import { SearchQuerystring } from './schemas.ts';
import { createSearchService } from './service.ts';
import { asInventory, FakeCatalog, FakeInventory, productDoc } from './fakes.test-support.ts';

const catalog = new FakeCatalog([
  productDoc({ id: 'drill', title: 'Cordless Drill 18V', brand: 'Acme' }),
  productDoc({
    id: 'saw',
    title: 'Circular Saw',
    description: 'Cuts plywood',
    brand: 'Bosch',
    price: { amount: 4999, currency: 'USD' },
  }),
  productDoc({
    id: 'hose',
    title: 'Garden Hose 50 ft',
    description: 'Kink free',
    categoryPath: ['Garden'],
    brand: 'Flexi',
  }),
  productDoc({
    id: 'car',
    title: 'Chrysler 300 Touring',
    description: 'A sedan, 300 horsepower',
    categoryPath: ['Vehicles'],
    brand: 'Chrysler',
    price: { amount: 2_899_900, currency: 'USD' },
  }),
  productDoc({
    id: 'phone',
    title: 'Smart Phone 128 GB',
    description: 'Unlocked phone',
    categoryPath: ['Electronics', 'Phones'],
    brand: 'Pixel',
    price: { amount: 24_900, currency: 'USD' },
  }),
  productDoc({
    id: 'phone-pro',
    title: 'Smart Phone Pro 300',
    description: 'The 300 edition phone',
    categoryPath: ['Electronics', 'Phones'],
    brand: 'Pixel',
    price: { amount: 109_900, currency: 'USD' },
  }),
]);
const inventory = new FakeInventory();
let app: Awaited<ReturnType<typeof buildTestApp>>;

beforeAll(async () => {
  const infra = {
    db: {} as SqlDatabase,
    cache: new MemoryCache(),
    redis: undefined,
    deploymentName: 'emporium',
    bus: new InProcessEventBus(),
    metrics: createMetricsRegistry(),
    logger: silentLogger(),
    close: async () => undefined,
  } satisfies Infrastructure;
  const config = { ...loadConfig({}), dataDir: await mkdtemp(join(tmpdir(), 'search-routes-')) };
  const search = await createSearchService(
    { config, infra },
    { catalog, inventory: asInventory(inventory), snapshotIntervalMs: 0 },
  );
  await search.module.start?.();
  while (search.state() !== 'ready') await new Promise((r) => setTimeout(r, 10));
  app = await buildTestApp([search.module], (await testTokens()).verifier);
});
afterAll(async () => app?.close());

const get = (url: string) => app.inject({ method: 'GET', url });

describe('GET /api/v1/search', () => {
  it('answers the DESIGN shape with facets over the whole match set', async () => {
    const res = await get('/api/v1/search?q=drill');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 1, page: 1, perPage: 24, query: 'drill' });
    expect(body.items[0]).toEqual({
      id: 'drill',
      title: 'Cordless Drill 18V',
      brand: 'Acme',
      price: { amount: 9999, currency: 'USD' },
      image: null,
      rating: 4.5,
      inStock: null,
    });
    expect(body.facets.category).toEqual([
      { value: 'Tools', name: 'Tools', depth: 0, count: 1 },
      { value: 'Tools/Power Tools', name: 'Power Tools', depth: 1, count: 1 },
    ]);
    expect(Object.keys(body.facets)).toEqual(
      expect.arrayContaining(['category', 'brand', 'price', 'rating']),
    );
  });

  it('turns a malformed inline filter into a 400 problem naming the field', async () => {
    const res = await get('/api/v1/search?q=drill%20price:abc');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'price' })]);
    const inverted = await get('/api/v1/search?minPrice=50&maxPrice=10');
    expect(inverted.statusCode).toBe(400);
  });

  it('refuses an unknown sort and a page below 1 with 400, and names the parameter', async () => {
    const sort = await get('/api/v1/search?q=drill&sort=cheapest');
    expect(sort.statusCode).toBe(400);
    expect(sort.json().errors[0].field).toContain('sort');
    for (const page of ['0', '-3', 'abc', '1.5'])
      expect((await get(`/api/v1/search?page=${page}`)).statusCode).toBe(400);
  });

  it('clamps absurd pages and page sizes instead of failing', async () => {
    const res = await get('/api/v1/search?q=drill&page=99999999999999&perPage=100000');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ perPage: 100, page: 100, items: [] });
  });

  it('refuses a 10 KB query or a NUL with 400 and treats other control characters as spaces', async () => {
    expect((await get(`/api/v1/search?q=${'a'.repeat(10_240)}`)).statusCode).toBe(400);
    // NUL is refused by the platform on every route (ADR 0007), before the search's own clamping.
    expect((await get('/api/v1/search?q=cordless%00drill')).statusCode).toBe(400);
    const res = await get('/api/v1/search?q=cordless%07%07drill%1b');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 1, query: 'cordless  drill' });
  });

  it('never answers 5xx, whatever the query text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300, unit: 'binary' }), async (q) => {
        const res = await get(`/api/v1/search?q=${encodeURIComponent(q)}`);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('prices in GET /api/v1/search', () => {
  it('selects with a price facet bucket fed back as minPrice/maxPrice what the bucket counted', async () => {
    const all = (await get('/api/v1/search?q=phone%20saw%20drill')).json();
    const buckets = all.facets.price as { from: number; to?: number; count: number }[];
    expect(buckets.length).toBeGreaterThan(1);
    for (const b of buckets) {
      const range = `minPrice=${b.from}${b.to === undefined ? '' : `&maxPrice=${b.to}`}`;
      const res = await get(`/api/v1/search?q=phone%20saw%20drill&${range}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().total).toBe(b.count);
    }
  });

  it('reads the inline price filter in minor units too', async () => {
    const res = (await get('/api/v1/search?q=saw%20price:4000..5000')).json();
    expect(res.items.map((i: { id: string }) => i.id)).toEqual(['saw']);
  });

  it('turns "phone under 300" into a price filter, so a car called "300 Touring" is not the top hit', async () => {
    const res = (await get('/api/v1/search?q=phone%20under%20300')).json();
    expect(res.items.map((i: { id: string }) => i.id)).toEqual(['phone']);
    expect(res.query).toBe('phone under 300');
  });

  it('documents prices in minor units in the schemas the OpenAPI document is generated from', () => {
    const { minPrice, maxPrice, q } = SearchQuerystring.properties;
    for (const p of [minPrice, maxPrice])
      expect(p).toMatchObject({ type: 'integer', description: expect.stringMatching(/minor units/) });
    expect(q).toMatchObject({ description: expect.stringMatching(/minor units.*under \$50/) });
  });
});

describe('GET /api/v1/search/suggest', () => {
  it('completes the last word from the titles', async () => {
    const res = await get('/api/v1/search/suggest?q=cordless%20dr');
    expect(res.statusCode).toBe(200);
    expect(res.json().suggestions[0]).toEqual({ text: 'cordless drill', count: 1 });
  });

  it('requires q and bounds its length', async () => {
    expect((await get('/api/v1/search/suggest')).statusCode).toBe(400);
    expect((await get(`/api/v1/search/suggest?q=${'x'.repeat(500)}`)).statusCode).toBe(400);
  });
});
