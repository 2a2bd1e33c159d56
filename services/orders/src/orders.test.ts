import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newId, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  testInfrastructure,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { buildCheckoutStack, CatalogFixture } from '../scripts/stack.ts';

const address = {
  name: 'Ada Lovelace',
  line1: '1 Analytical St',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

describe(`checkout (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
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
    sandbox = createPaymentSandbox({ logger: false, timeoutHangMs: 5_000, apiKey: credentials.apiKey });
    gatewayUrl = await sandbox.listen(0);
    stack = await buildCheckoutStack(infra, {
      gatewayUrl,
      ...credentials,
      catalog,
      gatewayTimeoutMs: 300,
    });
    tokens = await testTokens();
    app = await buildTestApp(stack.modules, tokens.verifier);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await infra.close();
  });

  async function product(onHand: number, price = 1000, seller = newId()): Promise<string> {
    const sku = uniqueName('ORD').toUpperCase();
    catalog.add({
      sku,
      productId: newId(),
      sellerId: seller,
      title: `Item ${sku}`,
      price: { amount: price, currency: 'EUR' },
      status: 'active',
    });
    await stack.inventory.registerSkus([{ sku, sellerId: seller }]);
    await stack.inventory.setStock({ id: seller, role: 'seller' }, sku, onHand);
    return sku;
  }
  const headers = async (customer: string, key?: string) => ({
    authorization: `Bearer ${await tokens.tokenFor({ id: customer, role: 'customer' })}`,
    ...(key ? { 'idempotency-key': key } : {}),
  });
  async function fill(customer: string, lines: [string, number][]) {
    for (const [sku, quantity] of lines) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: await headers(customer),
        payload: { sku, quantity },
      });
      expect(res.statusCode).toBe(200);
    }
  }
  const checkout = async (customer: string, token = 'tok_visa', key = newId()) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: await headers(customer, key),
      payload: { shippingAddress: address, paymentToken: token },
    });
  const stock = async (sku: string) => (await stack.inventory.getStock([sku]))[0]!;
  const authorizations = async (orderId: string) => {
    const res = await fetch(`${gatewayUrl}/v1/authorizations?reference=${orderId}`, {
      headers: { authorization: `Bearer ${credentials.apiKey}` },
    });
    return ((await res.json()) as { items: { status: string; capturedAmount: number }[] }).items;
  };

  it('checks out a two-seller cart: paid, one fulfilment per seller, stock committed, cart emptied', async () => {
    const a = await product(5, 1500);
    const b = await product(5, 250);
    const customer = newId();
    await fill(customer, [
      [a, 2],
      [b, 1],
    ]);
    const res = await checkout(customer);
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ status: 'paid', total: { amount: 3250, currency: 'EUR' } });
    expect(order.fulfilments).toHaveLength(2);
    expect(order.history.map((h: { status: string }) => h.status)).toEqual(['pending_payment', 'paid']);
    expect(await stock(a)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(
      (await app.inject({ url: '/api/v1/cart', headers: await headers(customer) })).json().items,
    ).toEqual([]);
    expect(await authorizations(order.id)).toMatchObject([{ status: 'captured', capturedAmount: 3250 }]);
  });

  it('answers 409 naming the SKU when stock ran out, and creates no order', async () => {
    const sku = await product(1);
    const first = newId();
    const second = newId();
    await fill(first, [[sku, 1]]);
    await fill(second, [[sku, 1]]);
    expect((await checkout(first)).statusCode).toBe(201);
    const res = await checkout(second);
    expect(res.statusCode).toBe(409);
    expect(res.json().skus).toEqual([sku]);
    expect((await app.inject({ url: '/api/v1/orders', headers: await headers(second) })).json().total).toBe(
      0,
    );
  });

  it('answers 402 on a declined card, marks the order payment_failed and releases stock at once', async () => {
    const sku = await product(2);
    const customer = newId();
    await fill(customer, [[sku, 2]]);
    const res = await checkout(customer, 'tok_chargeDeclined');
    expect(res.statusCode).toBe(402);
    const attempt = await app.inject({
      url: `/api/v1/orders/${res.json().orderId}`,
      headers: await headers(customer),
    });
    expect(attempt.json().status).toBe('payment_failed');
    expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
  });

  it('refuses a cart whose total is 0 with a 400, creating no order and reserving nothing', async () => {
    const sku = await product(2, 0);
    const customer = newId();
    await fill(customer, [[sku, 1]]);
    const res = await checkout(customer);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ url: '/api/v1/orders', headers: await headers(customer) })).json().total).toBe(
      0,
    );
    expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('ends an order the gateway can never accept (amount over its limit): payment_failed, stock released, not retried', async () => {
    const sku = await product(3, 60_000_000);
    const customer = newId();
    await fill(customer, [[sku, 2]]);
    const res = await checkout(customer);
    expect(res.statusCode).toBe(402);
    expect(res.json().detail).toContain('refused');
    // A failed attempt stays out of the order history (ADR 0708) and is read by the id its answer names.
    const order = (
      await app.inject({ url: `/api/v1/orders/${res.json().orderId}`, headers: await headers(customer) })
    ).json();
    expect(order.status).toBe('payment_failed');
    expect(order.history.at(-1)).toMatchObject({
      status: 'payment_failed',
      note: expect.stringContaining('refused'),
    });
    expect(await stock(sku)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    const row = await stack.orders.store.row(order.id);
    expect(row?.saga_step).toBe('done');
    expect(await authorizations(order.id)).toEqual([]);
  });

  it('keeps a declined attempt out of the order history, readable by the id its 402 names', async () => {
    const sku = await product(2);
    const customer = newId();
    await fill(customer, [[sku, 1]]);
    const declined = await checkout(customer, 'tok_chargeDeclined');
    expect(declined.statusCode).toBe(402);
    const paid = (await checkout(customer)).json();
    const history = (await app.inject({ url: '/api/v1/orders', headers: await headers(customer) })).json();
    expect({ total: history.total, ids: history.items.map((o: { id: string }) => o.id) }).toEqual({
      total: 1,
      ids: [paid.id],
    });
    const attempt = await app.inject({
      url: `/api/v1/orders/${declined.json().orderId}`,
      headers: await headers(customer),
    });
    expect(attempt.json()).toMatchObject({ status: 'payment_failed' });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry after a successful checkout with the same order, even once the cart is refilled', async () => {
      const sku = await product(3);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const key = newId();
      const first = await checkout(customer, 'tok_visa', key);
      expect(first.statusCode).toBe(201);
      // The 201 was lost: the client sends the same request again, with the cart already emptied.
      const retry = await checkout(customer, 'tok_visa', key);
      expect(retry.statusCode, retry.body).toBe(201);
      expect(retry.json()).toEqual(first.json());
      await fill(customer, [[sku, 1]]);
      const later = await checkout(customer, 'tok_visa', key);
      expect(later.json()).toEqual(first.json());
      expect(await authorizations(first.json().id)).toHaveLength(1);
      expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
    });

    it('answers a retry after a decline with the same 402 and no second authorisation', async () => {
      const sku = await product(2);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const key = newId();
      const first = await checkout(customer, 'tok_chargeDeclined', key);
      expect(first.statusCode).toBe(402);
      const retry = await checkout(customer, 'tok_chargeDeclined', key);
      expect(retry.statusCode).toBe(402);
      expect(retry.json()).toMatchObject({ orderId: first.json().orderId, declineCode: 'card_declined' });
      expect(await authorizations(first.json().orderId)).toMatchObject([{ status: 'declined' }]);
    });

    it('answers a retry after a gateway timeout with the order the timed-out call paid', async () => {
      const sku = await product(2);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const key = newId();
      const first = await checkout(customer, 'tok_timeout', key);
      expect(first.statusCode).toBe(201);
      const retry = await checkout(customer, 'tok_timeout', key);
      expect(retry.statusCode, retry.body).toBe(201);
      expect(retry.json().id).toBe(first.json().id);
      expect(await authorizations(first.json().id)).toHaveLength(1);
    });

    it('answers the same order after the service restarts on the same database', async () => {
      const sku = await product(2);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const key = newId();
      const first = await checkout(customer, 'tok_visa', key);
      expect(first.statusCode).toBe(201);
      const restarted = await buildCheckoutStack(infra, {
        gatewayUrl,
        ...credentials,
        catalog,
        gatewayTimeoutMs: 300,
      });
      const again = await buildTestApp(restarted.modules, tokens.verifier);
      try {
        const retry = await again.inject({
          method: 'POST',
          url: '/api/v1/orders',
          headers: await headers(customer, key),
          payload: { shippingAddress: address, paymentToken: 'tok_visa' },
        });
        expect(retry.statusCode, retry.body).toBe(201);
        expect(retry.json()).toEqual(first.json());
      } finally {
        await again.close();
      }
    });

    it('answers 422 to the key reused with another body; the same body in another key order is a retry', async () => {
      const sku = await product(2);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const key = newId();
      const first = await checkout(customer, 'tok_visa', key);
      expect(first.statusCode).toBe(201);
      const other = await app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: await headers(customer, key),
        payload: { shippingAddress: { ...address, city: 'Paris' }, paymentToken: 'tok_visa' },
      });
      expect(other.statusCode).toBe(422);
      expect(other.headers['content-type']).toContain('application/problem+json');
      expect(other.json().errors).toEqual([
        { field: 'Idempotency-Key', message: 'reused with a different body' },
      ]);
      const reordered = await app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...(await headers(customer, key)), 'content-type': 'application/json' },
        payload: JSON.stringify({
          paymentToken: 'tok_visa',
          shippingAddress: Object.fromEntries(Object.entries(address).reverse()),
        }),
      });
      expect(reordered.statusCode, reordered.body).toBe(201);
      expect(reordered.json().id).toBe(first.json().id);
    });
  });

  it('retries a gateway timeout and a 500 safely: paid once', async () => {
    for (const token of ['tok_timeout', 'tok_flaky500']) {
      const sku = await product(1);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      const res = await checkout(customer, token);
      expect(res.statusCode).toBe(201);
      expect(await authorizations(res.json().id)).toHaveLength(1);
    }
  });

  it('creates one order and one charge for 20 identical checkouts sent at once', async () => {
    const sku = await product(3);
    const customer = newId();
    await fill(customer, [[sku, 1]]);
    const key = newId();
    const answers = await Promise.all(Array.from({ length: 20 }, () => checkout(customer, 'tok_visa', key)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((a) => a.json().id));
    expect(ids.size).toBe(1);
    expect(await authorizations([...ids][0] as string)).toHaveLength(1);
    expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('refuses bad checkout input and other people’s orders with 4xx, changing nothing', async () => {
    const sku = await product(2);
    const customer = newId();
    await fill(customer, [[sku, 1]]);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: await headers(customer, newId()),
      payload: { shippingAddress: { ...address, country: 'Britain' }, paymentToken: 'tok_visa' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await checkout(newId())).statusCode).toBe(400); // empty cart
    const mine = (await checkout(customer)).json();
    expect(
      (await app.inject({ url: `/api/v1/orders/${mine.id}`, headers: await headers(newId()) })).statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/orders/${mine.id}/cancel`,
          headers: await headers(newId()),
        })
      ).statusCode,
    ).toBe(404);
    expect(await stock(sku)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it('cancels a paid order with a refund, and shows sellers only their own lines', async () => {
    const seller = newId();
    const mineSku = await product(3, 700, seller);
    const other = await product(3, 300);
    const customer = newId();
    await fill(customer, [
      [mineSku, 1],
      [other, 1],
    ]);
    const order = (await checkout(customer)).json();
    const sellerView = await app.inject({
      url: '/api/v1/seller/orders',
      headers: { authorization: `Bearer ${await tokens.tokenFor({ id: seller, role: 'seller' })}` },
    });
    expect(sellerView.json().items[0].lines.map((l: { sku: string }) => l.sku)).toEqual([mineSku]);
    const cancelled = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel`,
      headers: await headers(customer),
    });
    expect(cancelled.json().status).toBe('refunded');
    expect(await authorizations(order.id)).toMatchObject([{ status: 'refunded' }]);
    // The units go back on the shelf, once, whatever the number of cancels.
    expect(await stock(mineSku)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(await stock(other)).toMatchObject({ onHand: 3, reserved: 0 });
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel`,
      headers: await headers(customer),
    });
    expect(again.statusCode).toBe(200);
    expect(await stock(mineSku)).toMatchObject({ onHand: 3, reserved: 0 });
    const ledger = await sql<{ on_hand: number; reserved: number; restocks: number }>`
      select sum(on_hand_delta) as on_hand, sum(reserved_delta) as reserved,
             count(*) filter (where kind = 'restock') as restocks
        from ${sql.id('inventory', 'movements')} where sku = ${mineSku}`.execute(stack.orders.store.db);
    expect(ledger.rows[0]).toEqual({ on_hand: 3, reserved: 0, restocks: 1 });
    expect(again.json().history.map((h: { status: string }) => h.status)).toEqual([
      'pending_payment',
      'paid',
      'refunded',
    ]);
  });

  it('ends a cancel whose refund the gateway can never make in refund_failed, with the stock back, not in retries', async () => {
    const sku = await product(2, 900);
    const customer = newId();
    await fill(customer, [[sku, 1]]);
    const order = (await checkout(customer)).json();
    expect(order.status).toBe('paid');
    // A gateway that lost its records answers 404 to every refund of this payment, however often asked.
    const port = Number(new URL(gatewayUrl).port);
    await sandbox.close();
    sandbox = createPaymentSandbox({ logger: false, timeoutHangMs: 5_000, apiKey: credentials.apiKey });
    await sandbox.listen(port);
    const cancelled = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel`,
      headers: await headers(customer),
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('refund_failed');
    expect(cancelled.json().history.at(-1).note).toContain('needs attention');
    expect(cancelled.json().fulfilments.map((f: { status: string }) => f.status)).toEqual(['cancelled']);
    expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
    expect(await stack.orders.store.row(order.id)).toMatchObject({ saga_step: 'done' });
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel`,
      headers: await headers(customer),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('refund_failed');
  });

  describe('the seller view', () => {
    const sellerOrder = async (seller: string, orderId: string) => {
      const res = await app.inject({
        url: '/api/v1/seller/orders',
        headers: { authorization: `Bearer ${await tokens.tokenFor({ id: seller, role: 'seller' })}` },
      });
      return res.json().items.find((o: { id: string }) => o.id === orderId);
    };
    async function twoSellerOrder(seller: string) {
      const mine = await product(3, 700, seller);
      const other = await product(3, 300);
      const customer = newId();
      await fill(customer, [
        [mine, 2],
        [other, 1],
      ]);
      const res = await checkout(customer);
      expect(res.statusCode).toBe(201);
      return { customer, mine, order: res.json() };
    }

    it("totals only the seller's own lines, not the whole order", async () => {
      const seller = newId();
      const { mine, order } = await twoSellerOrder(seller);
      expect(order.total.amount).toBe(1700);
      const view = await sellerOrder(seller, order.id);
      expect(view.lines.map((l: { sku: string }) => l.sku)).toEqual([mine]);
      expect(view.total).toEqual({ amount: 1400, currency: 'EUR' });
    });

    it('cancels the fulfilments of a refunded order, so nobody ships it', async () => {
      const seller = newId();
      const { customer, order } = await twoSellerOrder(seller);
      expect((await sellerOrder(seller, order.id)).fulfilments).toMatchObject([{ status: 'pending' }]);
      const cancelled = await app.inject({
        method: 'POST',
        url: `/api/v1/orders/${order.id}/cancel`,
        headers: await headers(customer),
      });
      expect(cancelled.json().status).toBe('refunded');
      expect(cancelled.json().fulfilments.map((f: { status: string }) => f.status)).toEqual([
        'cancelled',
        'cancelled',
      ]);
      expect((await sellerOrder(seller, order.id)).fulfilments).toMatchObject([
        { sellerId: seller, status: 'cancelled' },
      ]);
    });
  });

  describe('crash at every saga step', () => {
    const points = ['reserve', 'authorize', 'capture', 'commit', 'fulfil', 'clear_cart'].flatMap((s) => [
      `before:${s}`,
      `after:${s}`,
    ]);
    it.each(points)('recovers an order whose process died at %s', async (point) => {
      const sku = await product(2, 900);
      const customer = newId();
      await fill(customer, [[sku, 1]]);
      let reached!: () => void;
      const died = new Promise<void>((r) => (reached = r));
      // The doomed process: it stops for good at the chosen point, holding a lease that will expire.
      const doomed = await buildCheckoutStack(infra, {
        gatewayUrl,
        ...credentials,
        catalog,
        orders: {
          leaseMs: 300,
          hook: (p) => (p === point ? (reached(), new Promise<void>(() => undefined)) : undefined),
        },
      });
      void doomed.orders
        .checkout(customer, newId(), { shippingAddress: address, paymentToken: 'tok_visa' })
        .catch(() => undefined);
      await died;
      const { rows } = await sql<{
        id: string;
      }>`select id from ${sql.id('orders', 'orders')} where customer_id = ${customer}`.execute(
        stack.orders.store.db,
      );
      const orderId = rows[0]!.id;
      await new Promise((r) => setTimeout(r, 350));
      // The restarted process: its recovery loop drives the order to the end. It passes again until then,
      // as the real loop does: on a loaded machine the doomed lease may outlive the first pass.
      await expect
        .poll(
          async () => {
            for (const id of await stack.orders.store.unfinished(1000)) await stack.orders.saga.drive(id);
            const current = await stack.orders.getOrder(orderId);
            // 'paid' alone is not the end: the saga still commits stock and hands over to fulfilment.
            return { status: current?.status, fulfilments: current?.fulfilments.length };
          },
          { timeout: 15_000, interval: 250 },
        )
        .toEqual({ status: 'paid', fulfilments: 1 });
      const order = await stack.orders.getOrder(orderId);
      expect(order?.fulfilments).toHaveLength(1);
      // The cart clean-up is a step of its own: the saga is not done until the bought lines are gone.
      await expect
        .poll(
          async () => {
            for (const id of await stack.orders.store.unfinished(1000)) await stack.orders.saga.drive(id);
            return (await stack.orders.store.row(orderId))?.saga_step;
          },
          { timeout: 15_000, interval: 250 },
        )
        .toBe('done');
      expect((await stack.cart.getCustomerCart(customer)).items).toEqual([]);
      expect(await stock(sku)).toMatchObject({ onHand: 1, reserved: 0 });
      expect(await authorizations(orderId)).toMatchObject([{ status: 'captured', capturedAmount: 900 }]);
      const ledger = await sql<{
        on_hand: number;
        reserved: number;
      }>`select sum(on_hand_delta) as on_hand, sum(reserved_delta) as reserved
        from ${sql.id('inventory', 'movements')} where sku = ${sku}`.execute(stack.orders.store.db);
      expect(ledger.rows[0]).toEqual({ on_hand: 1, reserved: 0 });
    });
  });
});
