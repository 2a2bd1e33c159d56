// Runs only when DATABASE_URL is set (see vitest.config.ts): two real server processes on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { newId } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import { InventoryHttpClient } from '@emporium/inventory';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { startCheckoutCluster, type CheckoutCluster } from '../scripts/cluster.ts';

const databaseUrl = process.env.DATABASE_URL as string;
const address = { name: 'Buyer', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const CUSTOMERS = 1_000;
const UNITS = 100;

async function pool<T>(items: T[], width: number, run: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await run(items[i] as T, i);
      }
    }),
  );
}

describe('flash sale on PostgreSQL with two processes', () => {
  const sku = uniqueName('FLASH').toUpperCase();
  const seller = newId();
  let sandbox: PaymentSandbox;
  let cluster: CheckoutCluster;
  let db: pg.Pool;

  beforeAll(async () => {
    const credentials = newSandboxCredentials();
    sandbox = createPaymentSandbox({ logger: false, apiKey: credentials.apiKey });
    const gatewayUrl = await sandbox.listen(0);
    cluster = await startCheckoutCluster({
      processes: 2,
      databaseUrl,
      gatewayUrl,
      ...credentials,
      variants: [
        {
          sku,
          productId: newId(),
          sellerId: seller,
          title: 'Flash deal',
          price: { amount: 4999, currency: 'EUR' },
          status: 'active',
        },
      ],
    });
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const inventory = new InventoryHttpClient(cluster.urls[0]!, { tokens: cluster.serviceTokens });
    await inventory.registerSkus([{ sku, sellerId: seller }]);
    await inventory.setStock({ id: seller, role: 'seller' }, sku, UNITS);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await sandbox?.close();
    await db?.end();
  });

  it('sells the last 100 units to exactly 100 of 1,000 simultaneous buyers', async () => {
    const customers = Array.from({ length: CUSTOMERS }, () => newId());
    const tokens = await Promise.all(customers.map((id) => cluster.tokenFor({ id, role: 'customer' })));
    const call = (i: number, path: string, body: unknown, extra: Record<string, string> = {}) =>
      fetch(`${cluster.urls[i % 2]}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}`, ...extra },
        body: JSON.stringify(body),
      });
    await pool(customers, 32, async (_c, i) => {
      const res = await call(i, '/cart/items', { sku, quantity: 1 });
      expect(res.status).toBe(200);
    });

    const answers = await Promise.all(
      customers.map(async (_c, i) => {
        const res = await call(
          i,
          '/orders',
          { shippingAddress: address, paymentToken: 'tok_visa' },
          { 'idempotency-key': newId() },
        );
        return { status: res.status, body: (await res.json()) as { status?: string; skus?: string[] } };
      }),
    );
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(created).toHaveLength(UNITS);
    expect(created.every((a) => a.body.status === 'paid')).toBe(true);
    expect(refused).toHaveLength(CUSTOMERS - UNITS);
    expect(refused.every((a) => a.body.skus?.includes(sku))).toBe(true);

    const stock = (await db.query('select on_hand, reserved from inventory.stock where sku = $1', [sku]))
      .rows[0];
    expect(stock).toEqual({ on_hand: 0, reserved: 0 });
    const ledger = (
      await db.query(
        'select sum(on_hand_delta)::int as on_hand, sum(reserved_delta)::int as reserved from inventory.movements where sku = $1',
        [sku],
      )
    ).rows[0];
    expect(ledger).toEqual({ on_hand: 0, reserved: 0 });
    const open = await db.query(
      `select count(*)::int as n from inventory.reservations r join inventory.reservation_lines l on l.reservation_id = r.id
        where l.sku = $1 and r.status = 'active'`,
      [sku],
    );
    expect(open.rows[0].n).toBe(0);
    const paid = await db.query(
      `select count(*)::int as n from orders.orders o join orders.order_lines l on l.order_id = o.id where l.sku = $1 and o.status = 'paid'`,
      [sku],
    );
    expect(paid.rows[0].n).toBe(UNITS);
  }, 180_000);
});
