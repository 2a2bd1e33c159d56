// Checkout on the platform's workflow runner (ADR 0009): the steps it added and the paths it reordered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { AppError, loadMigrations, newId, TransitionError, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  testDatabase,
  testInfrastructure,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import type { CartApi } from '@emporium/cart';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { buildCheckoutStack, CatalogFixture } from '../scripts/stack.ts';
import { createOrdersService } from './service.ts';

const address = { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' };
const request = { shippingAddress: address, paymentToken: 'tok_visa' };

describe(`checkout workflow (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  const catalog = new CatalogFixture();
  const credentials = newSandboxCredentials();
  let infra: Infrastructure;
  let sandbox: PaymentSandbox;
  let gatewayUrl: string;
  let stack: Awaited<ReturnType<typeof buildCheckoutStack>>;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Awaited<ReturnType<typeof testTokens>>;

  beforeAll(async () => {
    infra = await testInfrastructure();
    sandbox = createPaymentSandbox({ logger: false, apiKey: credentials.apiKey });
    gatewayUrl = await sandbox.listen(0);
    stack = await buildCheckoutStack(infra, { gatewayUrl, ...credentials, catalog });
    tokens = await testTokens();
    app = await buildTestApp(stack.modules, tokens.verifier);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await infra.close();
  });

  /** A customer with one unit of a fresh SKU (stock 2, price 900) in the cart. */
  async function customerWithCart() {
    const seller = newId();
    const sku = uniqueName('WF').toUpperCase();
    catalog.add({
      sku,
      productId: newId(),
      sellerId: seller,
      title: `Item ${sku}`,
      price: { amount: 900, currency: 'EUR' },
      status: 'active',
    });
    await stack.inventory.registerSkus([{ sku, sellerId: seller }]);
    await stack.inventory.setStock({ id: seller, role: 'seller' }, sku, 2);
    const customer = newId();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items',
      headers: { authorization: `Bearer ${await tokens.tokenFor({ id: customer, role: 'customer' })}` },
      payload: { sku, quantity: 1 },
    });
    expect(res.statusCode).toBe(200);
    return { customer, sku };
  }
  const stock = async (sku: string) => (await stack.inventory.getStock([sku]))[0]!;
  const authorizations = async (orderId: string) => {
    const res = await fetch(`${gatewayUrl}/v1/authorizations?reference=${orderId}`, {
      headers: { authorization: `Bearer ${credentials.apiKey}` },
    });
    return ((await res.json()) as { items: { status: string }[] }).items;
  };
  const recoverUntil = (orderId: string) =>
    expect.poll(
      async () => {
        for (const id of await stack.orders.store.unfinished(1000)) await stack.orders.saga.drive(id);
        const row = await stack.orders.store.row(orderId);
        return { status: row?.status, step: row?.saga_step };
      },
      { timeout: 15_000, interval: 250 },
    );

  it('retries the cart clean-up after payment while the cart service is down; the order is paid meanwhile', async () => {
    const { customer } = await customerWithCart();
    let outages = 2;
    const flaky: CartApi = {
      getCustomerCart: (id) => stack.cart.getCustomerCart(id),
      getGuestCart: (id) => stack.cart.getGuestCart(id),
      markGuestCheckedOut: (...args) => stack.cart.markGuestCheckedOut(...args),
      async markCheckedOut(...args) {
        if (outages-- > 0) throw new AppError('Unavailable', 'cart is down');
        return stack.cart.markCheckedOut(...args);
      },
    };
    const { api: orders } = await createOrdersService(
      { config: {} as never, infra },
      { inventory: stack.inventory, payments: stack.payments, cart: flaky },
      { recoveryIntervalMs: 0, retryDelayMs: 20, retryMaxDelayMs: 40 },
    );
    const order = await orders.checkout(customer, newId(), request);
    expect(order.status).toBe('paid');
    const parked = await orders.store.row(order.id);
    expect(parked).toMatchObject({ saga_step: 'clear_cart', failures: 1 });
    expect((await stack.cart.getCustomerCart(customer)).items).toHaveLength(1);
    await expect
      .poll(
        async () => {
          for (const id of await orders.store.unfinished(1000)) await orders.saga.drive(id);
          return (await orders.store.row(order.id))?.saga_step;
        },
        { timeout: 5_000, interval: 30 },
      )
      .toBe('done');
    expect(outages).toBe(-1);
    expect((await stack.cart.getCustomerCart(customer)).items).toEqual([]);
    expect((await orders.store.row(order.id))?.failures).toBe(0);
  });

  it('refuses a status change the order process does not list, writing nothing', async () => {
    const { customer } = await customerWithCart();
    const order = await stack.orders.checkout(customer, newId(), request);
    const before = await stack.orders.store.row(order.id);
    await expect(
      stack.orders.store.advance(order.id, { step: 'done', status: 'pending_payment' }, { leaseMs: 1_000 }),
    ).rejects.toThrow(TransitionError);
    await expect(
      stack.orders.store.advance(order.id, { step: 'done', status: 'cancelled' }, { leaseMs: 1_000 }),
    ).rejects.toThrow('paid → cancelled');
    expect(await stack.orders.store.row(order.id)).toEqual(before);
    expect((await stack.orders.getOrder(order.id))?.history.map((h) => h.status)).toEqual([
      'pending_payment',
      'paid',
    ]);
  });

  describe('crash while a paid order is cancelled', () => {
    const points = ['restock', 'refund'].flatMap((s) => [`before:${s}`, `after:${s}`]);
    it.each(points)('finishes the refund of an order whose process died at %s', async (point) => {
      const { customer, sku } = await customerWithCart();
      const order = await stack.orders.checkout(customer, newId(), request);
      let reached!: () => void;
      const died = new Promise<void>((r) => (reached = r));
      const doomed = await buildCheckoutStack(infra, {
        gatewayUrl,
        ...credentials,
        catalog,
        orders: {
          leaseMs: 300,
          hook: (p) => (p === point ? (reached(), new Promise<void>(() => undefined)) : undefined),
        },
      });
      void doomed.orders.cancel({ id: customer, role: 'customer' }, order.id).catch(() => undefined);
      await died;
      await new Promise((r) => setTimeout(r, 350));
      await recoverUntil(order.id).toEqual({ status: 'refunded', step: 'done' });
      expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
      expect(await authorizations(order.id)).toMatchObject([{ status: 'refunded' }]);
      const ledger = await sql<{ on_hand: number; restocks: number }>`
        select sum(on_hand_delta) as on_hand, count(*) filter (where kind = 'restock') as restocks
          from ${sql.id('inventory', 'movements')} where sku = ${sku}`.execute(stack.orders.store.db);
      expect(ledger.rows[0]).toEqual({ on_hand: 2, restocks: 1 });
      const final = await stack.orders.getOrder(order.id);
      expect(final?.history.map((h) => h.status)).toEqual(['pending_payment', 'paid', 'refunded']);
      expect(final?.fulfilments.map((f) => f.status)).toEqual(['cancelled']);
    });
  });
});

describe(`orders migration 0003 (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('keeps rows of before the runner: in-flight cancels go back to restock, a failed commit still refunds', async () => {
    const db = await testDatabase();
    const schema = uniqueName('t_orders');
    try {
      const all = await loadMigrations(new URL('../migrations', import.meta.url).pathname);
      await db.migrate(
        schema,
        all.filter((m) => m.id < '0003'),
      );
      const rows = [
        { id: newId(), step: 'refund', failure: null },
        { id: newId(), step: 'refund', failure: '{"kind":"Conflict","message":"expired"}' },
        { id: newId(), step: 'capture', failure: null },
      ];
      for (const r of rows)
        await sql`insert into ${sql.id(schema, 'orders')} (id, customer_id, status, saga_step, total_amount,
            currency, shipping_address, payment_token, idempotency_key, request_hash, failure)
          values (${r.id}, ${newId()}, 'paid', ${r.step}, 100, 'EUR', '{}', 'tok', ${newId()}, 'h',
            ${r.failure}::jsonb)`.execute(db.forSchema(schema));
      await db.migrate(schema, all);
      const { rows: after } = await sql<{ id: string; saga_step: string; failures: number }>`
        select id, saga_step, failures from ${sql.id(schema, 'orders')}`.execute(db.forSchema(schema));
      const stepOf = new Map(after.map((r) => [r.id, r.saga_step]));
      expect(rows.map((r) => stepOf.get(r.id))).toEqual(['restock', 'refund', 'capture']);
      expect(after.map((r) => r.failures)).toEqual([0, 0, 0]);
    } finally {
      await db.dropSchemas(schema);
      await db.close();
    }
  });
});
