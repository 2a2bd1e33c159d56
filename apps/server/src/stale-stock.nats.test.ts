/**
 * Issue 18 item 12 with the gateway in another process: the catalog maps the stock change to its
 * product and publishes `catalog.availability.changed`, which the gateway's hook turns into dropped
 * cached pages (ADR 0608). Needs NATS: two embedded processes share no event bus.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceRegistry } from './registry.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import { cachedProductInStock } from './testing/stale-stock.ts';

const servers: TestStore[] = [];
let gateway: TestStore;

beforeAll(async () => {
  const key = randomBytes(32).toString('hex');
  const deployment = { SERVICE_KEY: key, DEPLOYMENT_NAME: `stale${randomBytes(3).toString('hex')}` };
  const backend = await startTestStore({
    ...deployment,
    SERVICES: serviceRegistry.map((s) => s.name).join(','),
  });
  servers.push(backend);
  const urls = Object.fromEntries(
    serviceRegistry.map((s) => [`SERVICE_URL_${s.name.toUpperCase()}`, backend.url]),
  );
  gateway = await startTestStore({ ...deployment, SERVICES: 'gateway', ...urls });
  servers.push(gateway);
}, 180_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
});

describe('stock changes and the response cache of a gateway in another process', () => {
  it('shows a product out of stock within a couple of seconds after its stock is set to 0', async () => {
    const { shop, seller, sku, page, listing } = await cachedProductInStock(gateway.url, false);
    const set = await shop.call(`/seller/inventory/${sku}`, {
      method: 'PUT',
      token: seller,
      body: { onHand: 0 },
    });
    expect(set.status).toBe(200);
    await expect.poll(async () => (await page()).inStock, { timeout: 2_000, interval: 50 }).toBe(false);
    expect((await listing()).status).toBe(200);
  });
});
