/**
 * Issue 18 item 12 on the one-process store: a stock change drops the gateway's cached product page and
 * listings in-process, so the page shows the new stock within moments (the change travels as an event:
 * in-process at once, over JetStream in milliseconds), not up to 30 s later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import { cachedProductInStock } from './testing/stale-stock.ts';

let store: TestStore;

beforeAll(async () => {
  store = await startTestStore();
}, 120_000);
afterAll(async () => store?.close());

describe('stock changes and the gateway response cache, one process', () => {
  it('shows a product out of stock within moments after the seller sets its stock to 0', async () => {
    const { shop, seller, sku, page, listing } = await cachedProductInStock(store.url);
    const set = await shop.call(`/seller/inventory/${sku}`, {
      method: 'PUT',
      token: seller,
      body: { onHand: 0 },
    });
    expect(set.status).toBe(200);
    // Far below the 30 s the cache would otherwise serve the old page for.
    await expect.poll(page, { timeout: 3_000 }).toMatchObject({ status: 200, inStock: false });
    await expect.poll(async () => (await listing()).cache, { timeout: 3_000 }).not.toBe('hit');
  });

  it('shows the last unit out of stock within moments after it is bought', async () => {
    const { shop, sku, page } = await cachedProductInStock(store.url);
    const order = await shop.buy(await shop.register('customer'), sku);
    expect(order.status).toBe('paid');
    await expect.poll(page, { timeout: 3_000 }).toMatchObject({ status: 200, inStock: false });
  });
});
