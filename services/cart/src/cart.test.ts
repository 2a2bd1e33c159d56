import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessEventBus, createMetricsRegistry, newId, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  silentLogger,
  testCache,
  testDatabase,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createInventoryService, type InventoryApi } from '@emporium/inventory';
import { createCartService } from './service.ts';
import type { VariantInfo, VariantSource } from './types.ts';

/** The catalog contract's getVariants, over a map the test controls (the catalog service is built elsewhere). */
class CatalogFixture implements VariantSource {
  readonly variants = new Map<string, VariantInfo>();
  async getVariants(skus: string[]) {
    return skus.flatMap((s) => (this.variants.has(s) ? [structuredClone(this.variants.get(s)!)] : []));
  }
}

describe(`cart (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  const catalog = new CatalogFixture();
  const seller = newId();
  let inventory: InventoryApi;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Awaited<ReturnType<typeof testTokens>>;
  let infra: Infrastructure;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase();
    infra = {
      db,
      cache: await testCache(),
      redis: undefined,
      deploymentName: 'emporium',
      bus: new InProcessEventBus(),
      metrics: createMetricsRegistry(),
      logger: silentLogger(),
      close: async () => undefined,
    };
    const inv = await createInventoryService({ config: {} as never, infra }, { sweepIntervalMs: 0 });
    inventory = inv.api;
    const cart = await createCartService(
      { config: {} as never, infra },
      { catalog, inventory },
      { sweepIntervalMs: 0 },
    );
    tokens = await testTokens();
    app = await buildTestApp([cart.module], tokens.verifier);
    close = async () => {
      await app.close();
      await infra.cache.close();
      await db.close();
    };
  });
  afterAll(() => close());

  async function product(price: number, onHand: number): Promise<string> {
    const sku = uniqueName('CART').toUpperCase();
    catalog.variants.set(sku, {
      sku,
      productId: newId(),
      sellerId: seller,
      title: `Thing ${sku}`,
      price: { amount: price, currency: 'EUR' },
      status: 'active',
    });
    await inventory.registerSkus([{ sku, sellerId: seller }]);
    await inventory.setStock({ id: seller, role: 'seller' }, sku, onHand);
    return sku;
  }
  const auth = async (id: string) => ({
    authorization: `Bearer ${await tokens.tokenFor({ id, role: 'customer' })}`,
  });
  const add = (sku: string, quantity: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/cart/items', headers, payload: { sku, quantity } });

  it('gives a guest a cart id and shows current price and stock', async () => {
    const sku = await product(1250, 4);
    const added = await add(sku, 2);
    expect(added.statusCode).toBe(200);
    const cartId = added.headers['x-cart-id'] as string;
    expect(added.headers['set-cookie']).toContain(`cart_id=${cartId}`);
    catalog.variants.get(sku)!.price.amount = 990;
    const view = (await app.inject({ url: '/api/v1/cart', headers: { cookie: `cart_id=${cartId}` } })).json();
    expect(view).toMatchObject({
      id: cartId,
      owner: 'guest',
      itemCount: 2,
      subtotal: { amount: 1980, currency: 'EUR' },
    });
    expect(view.items[0]).toMatchObject({
      sku,
      unitPrice: { amount: 990 },
      available: 4,
      inStock: true,
      purchasable: true,
    });
  });

  it('merges the guest cart into the customer cart on the first signed-in request', async () => {
    const a = await product(100, 50);
    const b = await product(200, 50);
    const customer = newId();
    await add(a, 1, await auth(customer));
    const guest = (await add(a, 2)).headers['x-cart-id'] as string;
    await add(b, 3, { 'x-cart-id': guest });
    const merged = (
      await app.inject({ url: '/api/v1/cart', headers: { ...(await auth(customer)), 'x-cart-id': guest } })
    ).json();
    expect(merged.owner).toBe('customer');
    expect(
      Object.fromEntries(merged.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity])),
    ).toEqual({ [a]: 3, [b]: 3 });
    const again = (
      await app.inject({ url: '/api/v1/cart', headers: { ...(await auth(customer)), 'x-cart-id': guest } })
    ).json();
    expect(again.itemCount).toBe(6);
    const guestNow = (await app.inject({ url: '/api/v1/cart', headers: { 'x-cart-id': guest } })).json();
    expect(guestNow.items).toEqual([]);
  });

  it('refuses bad quantities, unknown SKUs, more than is in stock and other people’s carts', async () => {
    const sku = await product(100, 3);
    for (const q of [0, -2, 1e6, 1.5, 'x']) expect((await add(sku, q)).statusCode).toBe(400);
    expect((await add('NO-SUCH-SKU', 1)).statusCode).toBe(404);
    const short = await add(sku, 4);
    expect(short.statusCode).toBe(409);
    const owner = newId();
    await add(sku, 1, await auth(owner));
    const ownerCart = (await app.inject({ url: '/api/v1/cart', headers: await auth(owner) })).json()
      .id as string;
    expect((await app.inject({ url: '/api/v1/cart', headers: { 'x-cart-id': ownerCart } })).statusCode).toBe(
      403,
    );
    expect((await add(sku, 1, { 'x-cart-id': ownerCart })).statusCode).toBe(403);
    expect(
      (
        await app.inject({
          url: '/api/v1/cart',
          headers: { ...(await auth(newId())), 'x-cart-id': ownerCart },
        })
      ).statusCode,
    ).toBe(403);
    const still = (await app.inject({ url: '/api/v1/cart', headers: await auth(owner) })).json();
    expect(still.itemCount).toBe(1);
  });

  it('updates and removes lines', async () => {
    const sku = await product(100, 10);
    const cartId = (await add(sku, 1)).headers['x-cart-id'] as string;
    const h = { 'x-cart-id': cartId };
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/v1/cart/items/${sku}`,
          headers: h,
          payload: { quantity: 5 },
        })
      ).json().itemCount,
    ).toBe(5);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/cart/items/${sku}`, headers: h })).json().items,
    ).toEqual([]);
  });

  describe('a malformed cart_id cookie', () => {
    const cookies = [
      ['a cut percent-encoding', '%E0%A4%A'],
      ['a bare percent sign', '%'],
      ['a NUL', '%00'],
      ['a NUL inside', 'a%00b'],
      ['an encoded surrogate', '%ED%A0%80'],
      ['a word', 'not-a-cart'],
      ['4000 characters', 'x'.repeat(4000)],
    ];
    const routes = (sku: string) => [
      { method: 'GET' as const, url: '/api/v1/cart' },
      { method: 'POST' as const, url: '/api/v1/cart/items', payload: { sku, quantity: 1 } },
      { method: 'PATCH' as const, url: `/api/v1/cart/items/${sku}`, payload: { quantity: 2 } },
      { method: 'DELETE' as const, url: `/api/v1/cart/items/${sku}` },
    ];

    it.each(cookies)('with %s is an unknown cart on every cart route, never a 5xx', async (_name, value) => {
      const sku = await product(100, 10);
      for (const [who, headers] of [
        ['guest', {}],
        ['customer', await auth(newId())],
      ] as const) {
        for (const route of routes(sku)) {
          const res = await app.inject({ ...route, headers: { ...headers, cookie: `cart_id=${value}` } });
          const seen = `${who} ${route.method} ${route.url} → ${res.statusCode}`;
          expect(res.statusCode, seen).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.headers['content-type'], seen).toContain('problem+json');
        }
      }
      const added = await app.inject({
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: { cookie: `cart_id=${value}` },
        payload: { sku, quantity: 1 },
      });
      expect(added.statusCode).toBe(200);
      const fresh = added.headers['x-cart-id'] as string;
      expect(added.headers['set-cookie']).toContain(`cart_id=${fresh}`);
    });
  });

  it("reports an empty cart's subtotal in the store's currency (USD unless the service is told otherwise)", async () => {
    const empty = (await app.inject({ url: '/api/v1/cart' })).json();
    expect(empty.subtotal).toEqual({ amount: 0, currency: 'USD' });
    const euros = await createCartService(
      { config: {} as never, infra },
      { catalog, inventory },
      { sweepIntervalMs: 0, currency: 'EUR' },
    );
    expect((await euros.api.getCustomerCart(newId())).subtotal).toEqual({ amount: 0, currency: 'EUR' });
  });
});
