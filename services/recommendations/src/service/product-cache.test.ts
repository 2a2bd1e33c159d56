import { describe, expect, it } from 'vitest';
import { FakeCatalog, pid, product } from './fakes.test-support.ts';
import { ProductCache } from './product-cache.ts';

describe('product cache', () => {
  it('asks the catalog once for what it has not seen, and again after an eviction', async () => {
    const catalog = new FakeCatalog([product('a'), product('b')]);
    const cache = new ProductCache(catalog, 60_000);
    const [a, b, gone] = [pid('a'), pid('b'), pid('gone')];
    expect([...(await cache.get([a, b, gone])).keys()]).toEqual([a, b]);
    await cache.get([a, b, gone]);
    expect(catalog.getProductsCalls).toBe(1);
    catalog.products.set(a, product('a', { status: 'archived' }));
    cache.evict(a);
    expect((await cache.get([a, b])).get(a)?.status).toBe('archived');
    expect(catalog.getProductsCalls).toBe(2);
  });

  it('never sends the catalog a string that is not an id (it would refuse the whole batch)', async () => {
    const catalog = new FakeCatalog([product('a')]);
    const asked: string[][] = [];
    const getProducts = catalog.getProducts.bind(catalog);
    catalog.getProducts = async (ids) => (asked.push(ids), getProducts(ids));
    const cache = new ProductCache(catalog, 60_000);
    expect([...(await cache.get([pid('a'), 'not-an-id'])).keys()]).toEqual([pid('a')]);
    expect(await cache.get(['not-an-id'])).toEqual(new Map());
    expect(asked).toEqual([[pid('a')]]);
  });
});
