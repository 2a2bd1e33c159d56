import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../query-parser.ts';
import { SearchIndexer } from './indexer.ts';
import { asInventory, FakeCatalog, FakeInventory, productDoc } from './fakes.test-support.ts';

function indexer(catalog = new FakeCatalog(), inventory = new FakeInventory()) {
  return new SearchIndexer({ catalog, inventory: asInventory(inventory), engine: {} });
}

function ids(ix: SearchIndexer, q: string, extra: Record<string, string> = {}): string[] {
  const parsed = parseQuery({ q, ...extra });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return ix.index.search(parsed.query).hits.map((h) => h.id);
}

describe('SearchIndexer', () => {
  it('applies a newer version and drops an older one, so redelivery and reordering are harmless', () => {
    const ix = indexer();
    expect(ix.applyProduct(productDoc({ id: 'a', title: 'Blue Kettle' }), 2000)).toBe(true);
    expect(ix.applyProduct(productDoc({ id: 'a', title: 'Red Kettle' }), 1000)).toBe(false);
    expect(ids(ix, 'blue')).toEqual(['a']);
    expect(ix.applyProduct(productDoc({ id: 'a', title: 'Blue Kettle' }), 2000)).toBe(true);
    expect(ix.index.size()).toBe(1);
    ix.applyProduct(productDoc({ id: 'a', title: 'Red Kettle' }), 3000);
    expect(ids(ix, 'blue')).toEqual([]);
    expect(ids(ix, 'red')).toEqual(['a']);
  });

  it('removes archived and draft products and keeps an older event from bringing them back', () => {
    const ix = indexer();
    ix.applyProduct(productDoc({ id: 'a', title: 'Kettle' }), 1000);
    ix.applyProduct(productDoc({ id: 'a', title: 'Kettle', status: 'archived' }), 2000);
    expect(ids(ix, 'kettle')).toEqual([]);
    expect(ix.applyProduct(productDoc({ id: 'a', title: 'Kettle' }), 1500)).toBe(false);
    expect(ids(ix, 'kettle')).toEqual([]);
    ix.applyProduct(productDoc({ id: 'b', title: 'Kettle', status: 'draft' }), 1000);
    expect(ix.index.size()).toBe(0);
  });

  it('derives in-stock from any SKU, whether the stock event comes before or after the product', () => {
    const ix = indexer();
    ix.applyStock('a-1', false, 500);
    ix.applyProduct(productDoc({ id: 'a', skus: ['a-1', 'a-2'] }), 1000);
    expect(ix.index.get('a')?.inStock).toBeUndefined();
    ix.applyStock('a-2', false, 1100);
    expect(ix.index.get('a')?.inStock).toBe(false);
    ix.applyStock('a-2', true, 1200);
    expect(ids(ix, 'drill', { inStock: 'true' })).toEqual(['a']);
    expect(ix.applyStock('a-2', false, 1150)).toBe(false);
    expect(ix.index.get('a')?.inStock).toBe(true);
  });

  it('rebuilds from the catalog with stock in one call per page and drops what the catalog no longer lists', async () => {
    const catalog = new FakeCatalog(
      Array.from({ length: 2500 }, (_, i) => productDoc({ id: `p${String(i).padStart(5, '0')}` })),
    );
    const inventory = new FakeInventory();
    inventory.stock.set('p00001-a', 3);
    const ix = indexer(catalog, inventory);
    ix.applyProduct(productDoc({ id: 'gone' }), 1);
    const progress: number[] = [];
    expect(await ix.rebuild((p) => progress.push(p.indexed))).toBe(2500);
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(inventory.calls).toBe(3);
    expect(ix.index.size()).toBe(2500);
    expect(ix.index.get('gone')).toBeUndefined();
    expect(ix.index.get('p00001')?.inStock).toBe(true);
  });

  it('keeps an event newer than the listing over the listed state', async () => {
    const catalog = new FakeCatalog([productDoc({ id: 'a', title: 'Old Title' })]);
    const ix = indexer(catalog);
    ix.applyProduct(productDoc({ id: 'a', title: 'New Title' }), Date.now());
    await ix.rebuild();
    expect(ix.index.get('a')?.title).toBe('New Title');
  });

  it('round-trips through a snapshot with SKU ownership and stock', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'search-')), 'search', 'index.snapshot');
    const ix = indexer();
    ix.applyStock('a-1', true, 1);
    ix.applyProduct(productDoc({ id: 'a', skus: ['a-1'] }), 10);
    ix.applyProduct(productDoc({ id: 'b', title: 'Garden Hose' }), 10);
    await ix.saveSnapshot(file);
    expect(ix.dirty).toBe(0);
    const restored = indexer();
    expect(await restored.loadSnapshot(file)).toBe(2);
    expect(ids(restored, 'hose')).toEqual(['b']);
    restored.applyStock('a-1', false, 20);
    expect(restored.index.get('a')?.inStock).toBe(false);
  });
});
