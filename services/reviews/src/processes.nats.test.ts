// Reviews in a process of its own behind a gateway: the purchase reaches the projection over JetStream,
// the review's rating event reaches the catalog in another process, and the gateway forwards the review
// paths nested under the catalog's /products and the users service's /sellers. Needs NATS: embedded
// processes share no event bus.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceRegistry } from '../../../apps/server/src/registry.ts';
import { startTestStore, type TestStore } from '../../../apps/server/src/testing/test-store.ts';
import { Shopper } from '../../../apps/server/src/testing/shopper.ts';

const servers: TestStore[] = [];
let shopper: Shopper;

beforeAll(async () => {
  const deployment = {
    SERVICE_KEY: randomBytes(32).toString('hex'),
    DEPLOYMENT_NAME: `reviews${randomBytes(3).toString('hex')}`,
  };
  // Each process on a database of its own: no relay of another suite publishes this one's outboxes.
  const own = { ownDatabase: true };
  const shop = await startTestStore(
    { ...deployment, SERVICES: 'users,inventory,catalog,search,recommendations' },
    undefined,
    own,
  );
  servers.push(shop);
  const shopUrls = {
    SERVICE_URL_USERS: shop.url,
    SERVICE_URL_CATALOG: shop.url,
    SERVICE_URL_INVENTORY: shop.url,
  };
  const trade = await startTestStore(
    { ...deployment, SERVICES: 'cart,orders,payments,reviews', ...shopUrls },
    undefined,
    own,
  );
  servers.push(trade);
  const where = (name: string) => (['cart', 'orders', 'payments', 'reviews'].includes(name) ? trade : shop);
  const urls = Object.fromEntries(
    serviceRegistry.map((s) => [`SERVICE_URL_${s.name.toUpperCase()}`, where(s.name).url]),
  );
  const gateway = await startTestStore({ ...deployment, SERVICES: 'gateway', ...urls });
  servers.push(gateway);
  shopper = new Shopper(gateway.url);
}, 180_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
});

describe('reviews in a process of its own', () => {
  it(
    'takes a buyer’s review and the catalog in another process shows its rating',
    { timeout: 120_000 },
    async () => {
      const seller = await shopper.register('seller');
      const buyer = await shopper.register('customer');
      const { sku, productId } = await shopper.listProductWithId(seller, 5);
      const order = await shopper.buy(buyer, sku);
      expect(order.status).toBe('paid');
      const review = { rating: 4, title: 'Good lamp', body: 'Does the job.' };
      let written: { status: number; body: Record<string, unknown> } | undefined;
      // The purchase reaches the reviews process over JetStream: a moment after the order is paid.
      await expect
        .poll(
          async () => {
            written = await shopper.call(`/products/${productId}/reviews`, {
              method: 'POST',
              token: buyer,
              body: review,
            });
            return written.status;
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(201);
      expect(written?.body.verifiedPurchase).toBe(true);
      await expect
        .poll(async () => (await shopper.call(`/products/${productId}`)).body.rating, { timeout: 20_000 })
        .toEqual({ average: 4, count: 1 });
      expect((await shopper.call(`/products/${productId}/reviews`)).body.items).toHaveLength(1);

      const sellerId = String((await shopper.call('/me', { token: seller })).body.id);
      const rated = await shopper.call('/seller-ratings', {
        method: 'POST',
        token: buyer,
        body: { orderId: order.id, sellerId, rating: 2 },
      });
      expect(rated.status, JSON.stringify(rated.body)).toBe(201);
      expect((await shopper.call(`/sellers/${sellerId}/rating`)).body).toMatchObject({
        positivePercent: 0,
        count: 1,
      });
      expect((await shopper.call(`/sellers/${sellerId}`)).status).toBe(200);
    },
  );
});
