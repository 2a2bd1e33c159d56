// The whole store as `npm start` composes it: a real checkout makes the purchase, the review's rating
// event reaches the catalog, and the catalog's product event reaches search (the rating filter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../../../apps/server/src/testing/test-store.ts';
import { Shopper } from '../../../apps/server/src/testing/shopper.ts';

let store: TestStore;
let shopper: Shopper;
beforeAll(async () => {
  store = await startTestStore();
  shopper = new Shopper(store.url);
}, 180_000);
afterAll(async () => {
  await store.close();
});

describe('reviews in the composed store', () => {
  it(
    'lets a buyer review; the catalog, search and the seller profile follow',
    { timeout: 120_000 },
    async () => {
      const seller = await shopper.register('seller');
      const buyer = await shopper.register('customer');
      const { sku, productId } = await shopper.listProductWithId(seller, 5);
      const review = { rating: 5, title: 'Lovely lamp', body: 'Warm light, sturdy base.' };

      const early = await shopper.call(`/products/${productId}/reviews`, {
        method: 'POST',
        token: buyer,
        body: review,
      });
      expect(early.status).toBe(403);

      const order = await shopper.buy(buyer, sku);
      expect(order.status).toBe('paid');
      // Naming the order: counted at once, whether or not its paid event has reached the projection yet.
      const written = await shopper.call(`/products/${productId}/reviews`, {
        method: 'POST',
        token: buyer,
        body: { ...review, orderId: order.id },
      });
      expect(written.status, JSON.stringify(written.body)).toBe(201);
      expect(written.body.verifiedPurchase).toBe(true);

      await expect
        .poll(async () => (await shopper.call(`/products/${productId}`)).body.rating, { timeout: 15_000 })
        .toEqual({ average: 5, count: 1 });
      const title = String((await shopper.call(`/products/${productId}`)).body.title);
      await expect
        .poll(
          async () => {
            const found = await shopper.call(`/search?q=${encodeURIComponent(`"${title}" rating>=5`)}`);
            return (found.body.items as { id: string; rating: number | null }[] | undefined)?.find(
              (i) => i.id === productId,
            )?.rating;
          },
          { timeout: 15_000 },
        )
        .toBe(5);

      const me = await shopper.call('/me', { token: seller });
      const sellerId = String(me.body.id);
      const rated = await shopper.call('/seller-ratings', {
        method: 'POST',
        token: buyer,
        body: { orderId: order.id, sellerId, rating: 4 },
      });
      expect(rated.status, JSON.stringify(rated.body)).toBe(201);
      expect((await shopper.call(`/sellers/${sellerId}/rating`)).body).toEqual({
        sellerId,
        positivePercent: 100,
        count: 1,
        windowMonths: 12,
      });
      const profile = await shopper.call(`/sellers/${sellerId}`);
      expect(profile.status).toBe(200);
    },
  );
});
