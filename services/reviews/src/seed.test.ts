import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { silentLogger } from '@emporium/platform/testing';
import type { ProductDocument } from '@emporium/catalog';
import { seedDemoReviews } from './seed.ts';
import { startHarness, type Harness } from './test-support.ts';

let h: Harness;
// Generous: building the service on PGlite takes long on a loaded machine.
beforeAll(async () => {
  h = await startHarness();
}, 180_000);
afterAll(async () => {
  await h.close();
});

const demoProduct = (sku: string): ProductDocument => ({
  id: newId(),
  title: 'Essence Mascara Lash Princess',
  description: '',
  brand: null,
  categoryPath: ['Beauty & Personal Care'],
  attributes: {},
  price: { amount: 999, currency: 'USD' },
  rating: 0,
  ratingCount: 0,
  sellerId: newId(),
  status: 'active',
  createdAt: new Date().toISOString(),
  skus: [sku],
});

describe('the demo reviews', () => {
  it('imports the demo products’ reviews once, unverified, and announces their ratings', async () => {
    const known = demoProduct('BEA-ESS-ESS-001');
    const unknown = demoProduct('NOT-A-DEMO-SKU');
    h.products.add(known.id);
    const catalog = { listAllProducts: async () => ({ items: [known, unknown] }) };
    expect(await seedDemoReviews(h.parts.store, catalog, silentLogger())).toBe(3);
    expect(await seedDemoReviews(h.parts.store, catalog, silentLogger())).toBe(0);

    const summary = (await h.call('GET', `/api/v1/products/${known.id}/reviews/summary`)).body;
    expect(summary).toMatchObject({ count: 3, average: 4, histogram: { '3': 1, '4': 1, '5': 1 } });
    const list = (await h.call('GET', `/api/v1/products/${known.id}/reviews?sort=rating_high`)).body;
    expect(list.items).toEqual([
      expect.objectContaining({
        rating: 5,
        title: 'Highly impressed!',
        authorName: 'Eleanor C.',
        verifiedPurchase: false,
      }),
      expect.objectContaining({ rating: 4 }),
      expect.objectContaining({ rating: 3 }),
    ]);
    await expect
      .poll(() => h.ratingEvents.filter((e) => e.subject === known.id).map((e) => e.data))
      .toEqual([expect.objectContaining({ count: 3, average: 4, version: 1 })]);
  });
});
