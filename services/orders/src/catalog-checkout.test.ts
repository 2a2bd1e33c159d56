// Checkout against the real catalog service (not the fixture): a seller lists a product through the
// catalog's routes, which register its SKUs and stock with inventory; the cart prices lines from the catalog.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, newId, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  testInfrastructure,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createCatalogService, type CatalogApi } from '@emporium/catalog';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { buildCheckoutStack } from '../scripts/stack.ts';

const address = {
  name: 'Grace Hopper',
  line1: '1 Navy Way',
  city: 'Arlington',
  postalCode: '22202',
  country: 'US',
};

describe(`checkout with the real catalog (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let infra: Infrastructure;
  let sandbox: PaymentSandbox;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Awaited<ReturnType<typeof testTokens>>;
  let stack: Awaited<ReturnType<typeof buildCheckoutStack>>;

  beforeAll(async () => {
    infra = await testInfrastructure();
    const credentials = newSandboxCredentials();
    sandbox = createPaymentSandbox({ logger: false, apiKey: credentials.apiKey });
    const gatewayUrl = await sandbox.listen(0);
    // The cart is built before the catalog (the catalog needs the stack's inventory): it calls through this.
    const late: { catalog?: CatalogApi } = {};
    stack = await buildCheckoutStack(infra, {
      gatewayUrl,
      ...credentials,
      catalog: { getVariants: (skus) => (late.catalog as CatalogApi).getVariants(skus) },
    });
    const config = {
      ...loadConfig({}),
      dataDir: await mkdtemp(join(tmpdir(), 'orders-catalog-')),
      seedDemoData: false,
    };
    const built = await createCatalogService({ config, infra }, { inventory: stack.inventory });
    late.catalog = built.api;
    tokens = await testTokens();
    app = await buildTestApp([...stack.modules, built.module], tokens.verifier);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await infra.close();
  });

  const as = async (id: string, role: 'customer' | 'seller') => ({
    authorization: `Bearer ${await tokens.tokenFor({ id, role })}`,
  });

  it('sells a product listed through the catalog: current price, stock committed, order paid', async () => {
    const seller = newId();
    const skus = [uniqueName('CAT-A'), uniqueName('CAT-B')].map((s) => s.toUpperCase());
    const body = (prices: number[]) => ({
      title: `Desk lamp ${skus[0]}`,
      description: 'Warm light',
      brand: 'Lumen',
      category: 'Home/Lighting',
      status: 'active',
      variants: skus.map((sku, i) => ({ sku, price: { amount: prices[i], currency: 'EUR' }, stock: 4 })),
    });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers: await as(seller, 'seller'),
      payload: body([2500, 3000]),
    });
    expect(created.statusCode).toBe(201);
    const customer = newId();
    for (const [sku, quantity] of [
      [skus[0], 2],
      [skus[1], 1],
    ] as const) {
      const added = await app.inject({
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: await as(customer, 'customer'),
        payload: { sku, quantity },
      });
      expect(added.statusCode).toBe(200);
    }
    // The seller changes a price while the item sits in the cart: the cart and the order use the new one.
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/seller/products/${created.json().id}`,
      headers: await as(seller, 'seller'),
      payload: { variants: body([2000, 3000]).variants.map(({ stock: _, ...v }) => v) },
    });
    expect(patched.statusCode).toBe(200);
    const cart = await app.inject({ url: '/api/v1/cart', headers: await as(customer, 'customer') });
    expect(cart.json().subtotal).toEqual({ amount: 7000, currency: 'EUR' });

    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...(await as(customer, 'customer')), 'idempotency-key': newId() },
      payload: { shippingAddress: address, paymentToken: 'tok_visa' },
    });
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ status: 'paid', total: { amount: 7000, currency: 'EUR' } });
    expect(
      order.lines.map((l: { sellerId: string; productId: string }) => [l.sellerId, l.productId]),
    ).toEqual(skus.map(() => [seller, created.json().id]));
    expect(await stack.inventory.getStock(skus)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sku: skus[0], onHand: 2, reserved: 0 }),
        expect.objectContaining({ sku: skus[1], onHand: 3, reserved: 0 }),
      ]),
    );
    const product = await app.inject({ url: `/api/v1/products/${created.json().id}` });
    expect(
      product.json().variants.map((v: { availability?: { available: number } }) => v.availability?.available),
    ).toEqual([2, 3]);
  });
});
