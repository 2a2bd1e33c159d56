// The demo store (SEED_DEMO_DATA): the demo products' reviews are imported and the catalog shows the
// rating they make, so a product page and its reviews agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../../../apps/server/src/testing/test-store.ts';
import { Shopper } from '../../../apps/server/src/testing/shopper.ts';

let store: TestStore;
let shopper: Shopper;
beforeAll(async () => {
  // A database of its own: the seeds run only on an empty catalog and an empty reviews table.
  store = await startTestStore({ SEED_DEMO_DATA: 'true' }, undefined, { ownDatabase: true });
  shopper = new Shopper(store.url);
}, 180_000);
afterAll(async () => {
  await store.close();
});

describe('the demo store’s reviews', () => {
  // Generous: on JetStream the 194 rating events of the seed reach the catalog one by one.
  it('shows on each demo product the rating of its imported reviews', { timeout: 300_000 }, async () => {
    const listing = await shopper.call('/products?perPage=5');
    const products = listing.body.items as { id: string }[];
    expect(products.length).toBe(5);
    for (const { id } of products) {
      const summary = (await shopper.call(`/products/${id}/reviews/summary`)).body;
      expect(summary.count).toBeGreaterThan(0);
      await expect
        .poll(async () => (await shopper.call(`/products/${id}`)).body.rating, {
          timeout: 240_000,
          interval: 500,
        })
        .toEqual({ average: summary.average, count: summary.count });
      const reviews = (await shopper.call(`/products/${id}/reviews`)).body.items as unknown[];
      expect(reviews.length).toBe(summary.count);
    }
  });
});
