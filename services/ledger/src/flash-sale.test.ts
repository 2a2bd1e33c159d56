/**
 * The ledger in the whole store, as `npm start` composes it (real checkout, payments, catalog): a flash
 * sale across several sellers, a cancellation, payouts and who may see what, over the public HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import { startTestStore, type TestStore } from '../../../apps/server/src/testing/test-store.ts';

const ADMIN_EMAIL = `${uniqueName('ledger-admin')}@example.com`;
const ADMIN_PASSWORD = 'copper-lantern-58-meadow';
const address = { name: 'Ada', line1: '1 Analytical St', city: 'London', postalCode: 'N1', country: 'GB' };

let store: TestStore;
let admin: string;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(`${store.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      'idempotency-key': newId(),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function register(role: 'seller' | 'customer'): Promise<{ token: string; id: string }> {
  const answer = await call('/auth/register', {
    method: 'POST',
    body: {
      email: `${uniqueName(role)}@example.com`,
      password: `Tr0ub4dor&3-${newId()}`,
      name: `Flash ${role}`,
      role,
      ...(role === 'seller' ? { storeName: uniqueName('Flash Store') } : {}),
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const token = String(answer.body.accessToken);
  const me = await call('/me', { token });
  return { token, id: String(me.body.id) };
}

async function listProduct(seller: string, category: string, amount: number, stock: number): Promise<string> {
  const sku = uniqueName('FLASH').toUpperCase();
  const created = await call('/seller/products', {
    method: 'POST',
    token: seller,
    body: {
      title: `Flash ${sku}`,
      description: 'Sold in the ledger flash sale',
      brand: 'Flash',
      category,
      status: 'active',
      variants: [{ sku, price: { amount, currency: 'EUR' }, stock }],
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return sku;
}

interface Entry {
  kind: string;
  amount: number;
  orderId?: string;
}
const statement = async (token: string) =>
  (await call('/seller/statements?limit=500', { token })).body.items as Entry[];
const balance = async (token: string) =>
  ((await call('/seller/ledger', { token })).body.balances as Record<string, number>[])[0];

beforeAll(async () => {
  store = await startTestStore({ ADMIN_EMAIL, ADMIN_PASSWORD }, undefined, { ownDatabase: true });
  const login = await call('/auth/login', {
    method: 'POST',
    body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  admin = String(login.body.accessToken);
}, 180_000);
afterAll(async () => store?.close());

describe('the ledger in a flash sale', () => {
  const sellers: { token: string; id: string }[] = [];
  const orders: string[] = [];
  let customers: string[] = [];

  it('posts a sale and its commission for every seller of every order, and the books balance', async () => {
    // Lighting: 12 % + 0.50 per unit; the rest of Home: 8 %; Books: the platform default (10 %).
    for (const rule of [
      { category: 'Home', percentBps: 800 },
      { category: 'Home/Lighting', percentBps: 1_200, fixedFee: { amount: 50, currency: 'EUR' } },
    ]) {
      const put = await call('/admin/commission-rules', { method: 'PUT', token: admin, body: rule });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    sellers.push(...(await Promise.all([register('seller'), register('seller'), register('seller')])));
    const skus = [
      await listProduct(sellers[0]!.token, 'Home/Lighting', 2_999, 50),
      await listProduct(sellers[1]!.token, 'Home/Kitchen', 1_505, 50),
      await listProduct(sellers[2]!.token, 'Books', 1_005, 50),
    ];
    customers = (await Promise.all(Array.from({ length: 8 }, () => register('customer')))).map(
      (c) => c.token,
    );
    const placed = await Promise.all(
      customers.map(async (customer) => {
        for (const sku of skus)
          expect(
            (await call('/cart/items', { method: 'POST', token: customer, body: { sku, quantity: 1 } }))
              .status,
          ).toBe(200);
        const checkout = await call('/orders', {
          method: 'POST',
          token: customer,
          body: { shippingAddress: address, paymentToken: 'tok_visa' },
        });
        expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
        return String(checkout.body.id);
      }),
    );
    orders.push(...placed);
    // Commission per unit: 12 % of 2999 = 359.88 -> 360, + 50; 8 % of 1505 = 120.4 -> 120; 10 % of 1005 = 100.5 -> 101.
    const expected = [
      { sale: 2_999, commission: -410 },
      { sale: 1_505, commission: -120 },
      { sale: 1_005, commission: -101 },
    ];
    for (const [i, seller] of sellers.entries()) {
      await expect
        .poll(async () => (await statement(seller.token)).filter((e) => e.kind === 'commission').length, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe(orders.length);
      const entries = await statement(seller.token);
      for (const orderId of orders) {
        const mine = entries.filter((e) => e.orderId === orderId);
        expect(mine.map((e) => [e.kind, e.amount]).sort()).toEqual([
          ['commission', expected[i]!.commission],
          ['sale', expected[i]!.sale],
        ]);
      }
    }
    const trial = await call('/admin/ledger/trial-balance', { token: admin });
    expect(trial.body.balanced).toBe(true);
    const byAccount = Object.fromEntries(
      (trial.body.items as { account: string; balance: number }[]).map((i) => [i.account, i.balance]),
    );
    expect(byAccount.clearing).toBe(orders.length * (2_999 + 1_505 + 1_005));
    expect(byAccount.commission_revenue).toBe(-orders.length * (410 + 120 + 101));
  }, 180_000);

  it('reverses every seller share and commission of a cancelled order', async () => {
    const orderId = orders[0]!;
    const cancelled = await call(`/orders/${orderId}/cancel`, { method: 'POST', token: customers[0]! });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    for (const seller of sellers) {
      await expect
        .poll(
          async () =>
            (await statement(seller.token)).filter((e) => e.orderId === orderId && e.kind === 'refund')
              .length,
          {
            timeout: 30_000,
            interval: 250,
          },
        )
        .toBe(1);
      const mine = (await statement(seller.token)).filter((e) => e.orderId === orderId);
      expect(mine.reduce((a, e) => a + e.amount, 0)).toBe(0);
    }
    expect((await call('/admin/ledger/trial-balance', { token: admin })).body.balanced).toBe(true);
  }, 60_000);

  it('shows a seller its own ledger only; an admin any', async () => {
    const [mine, other] = sellers;
    const own = await call('/seller/ledger', { token: mine!.token });
    expect(own.status).toBe(200);
    for (const path of ['/seller/ledger', '/seller/statements', '/seller/payouts'])
      expect((await call(`${path}?sellerId=${other!.id}`, { token: mine!.token })).status).toBe(403);
    expect((await call('/seller/ledger', { token: customers[1]! })).status).toBe(403);
    expect((await call('/seller/ledger')).status).toBe(401);
    const asAdmin = await call(`/seller/ledger?sellerId=${mine!.id}`, { token: admin });
    expect(asAdmin.body).toEqual(own.body);
    const payout = await call('/seller/payouts', {
      method: 'POST',
      token: mine!.token,
      body: { amount: { amount: 1, currency: 'EUR' }, sellerId: other!.id },
    });
    expect(payout.status).toBe(403);
  });

  it('answers bad input with a 4xx problem and changes nothing', async () => {
    const rulesBefore = await call('/admin/commission-rules', { token: admin });
    for (const body of [
      { category: 'Books', percentBps: 15_000 },
      { category: 'Books', percentBps: 500, fixedFee: { amount: -5, currency: 'EUR' } },
      { category: 'Books', percentBps: '500' },
    ]) {
      const answer = await call('/admin/commission-rules', { method: 'PUT', token: admin, body });
      expect(answer.status).toBe(400);
    }
    expect((await call('/admin/commission-rules', { token: admin })).body).toEqual(rulesBefore.body);
    const seller = sellers[1]!;
    const before = await balance(seller.token);
    const tooMuch = await call('/seller/payouts', {
      method: 'POST',
      token: seller.token,
      body: { amount: { amount: before!.available! + 1, currency: 'EUR' } },
    });
    expect(tooMuch.status).toBe(409);
    expect(await balance(seller.token)).toEqual(before);
    expect(((await call('/seller/payouts', { token: seller.token })).body.items as unknown[]).length).toBe(0);
    const paid = await call('/seller/payouts', {
      method: 'POST',
      token: seller.token,
      body: { amount: { amount: before!.available!, currency: 'EUR' } },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(await balance(seller.token)).toMatchObject({ available: 0, reserved: before!.reserved });
  });
});
