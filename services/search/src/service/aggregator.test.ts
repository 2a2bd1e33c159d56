import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../types.ts';
import { ResultsAggregator } from './aggregator.ts';
import { categoryList } from './formatter.ts';
import { FakeCatalog, FakeInventory, productDoc } from './fakes.test-support.ts';

const hit = (id: string): SearchHit => ({ id, score: 1, doc: { id, title: 'stale title' } });

describe('ResultsAggregator', () => {
  it('hydrates a page with one catalog call and one inventory call, in the ranked order', async () => {
    const catalog = new FakeCatalog([
      productDoc({ id: 'a', title: 'Current A', skus: ['a1', 'a2'] }),
      productDoc({ id: 'b', title: 'Current B', skus: ['b1'] }),
    ]);
    const inventory = new FakeInventory();
    inventory.stock.set('a1', 0);
    inventory.stock.set('a2', 4);
    inventory.stock.set('b1', 0);
    const page = await new ResultsAggregator(catalog, inventory).hydrate([hit('b'), hit('a')]);
    expect(page.items.map((i) => [i.id, i.title, i.inStock])).toEqual([
      ['b', 'Current B', false],
      ['a', 'Current A', true],
    ]);
    expect(catalog.calls.getProducts).toBe(1);
    expect(inventory.calls).toBe(1);
  });

  it('drops products deleted or no longer active since they were indexed', async () => {
    const catalog = new FakeCatalog([
      productDoc({ id: 'live' }),
      productDoc({ id: 'archived', status: 'archived' }),
    ]);
    const page = await new ResultsAggregator(catalog, new FakeInventory()).hydrate([
      hit('live'),
      hit('archived'),
      hit('deleted'),
    ]);
    expect(page.items.map((i) => i.id)).toEqual(['live']);
    expect(page.dropped).toBe(2);
  });

  it('makes no call for an empty page', async () => {
    const catalog = new FakeCatalog();
    await new ResultsAggregator(catalog, new FakeInventory()).hydrate([]);
    expect(catalog.calls.getProducts).toBe(0);
  });
});

describe('categoryList', () => {
  it('lists the category tree in pre-order with depths', () => {
    expect(
      categoryList([
        { value: 'Tools/Saws', count: 1 },
        { value: 'Garden', count: 2 },
        { value: 'Tools', count: 3 },
        { value: 'Tools/Drills', count: 2 },
      ]).map((c) => `${c.depth}:${c.name}:${c.count}`),
    ).toEqual(['0:Garden:2', '0:Tools:3', '1:Drills:2', '1:Saws:1']);
  });
});
