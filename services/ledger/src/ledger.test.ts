import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { isAppError, newId } from '@emporium/platform';
import { PaymentUpdated } from '@emporium/payments';
import { postSale, REFUNDS_CONSUMER } from './consumers.ts';
import { Ledger, type OrderSale } from './ledger.ts';
import { ledgerUnderTest, paidEvent } from './test-harness.ts';
import type { Db } from './store.ts';
import { SandboxPayoutProvider } from './payout-provider.ts';
import { Payouts } from './payouts.ts';

type Harness = Awaited<ReturnType<typeof ledgerUnderTest>>;
// One ledger for the file (building one costs seconds on PGlite); every test has sellers of its own.
let h: Harness;
beforeAll(async () => {
  h = await ledgerUnderTest({ LEDGER_RESERVE_BPS: '1000', LEDGER_PAYOUT_SETTLE_MS: '0' });
});
afterAll(async () => h.close());

const refundEvent = (orderId: string, refunded: number, captured: number) =>
  PaymentUpdated.create(orderId, {
    id: newId(),
    orderId,
    customerId: newId(),
    amount: { amount: captured, currency: 'EUR' },
    status: 'refunded',
    capturedAmount: captured,
    refundedAmount: refunded,
  });

const kindsOf = async (orderId: string) =>
  (
    await h.ledger.store.db
      .selectFrom('postings')
      .select(['kind', 'seller_id'])
      .where('order_id', '=', orderId)
      .orderBy('kind')
      .orderBy('seller_id')
      .execute()
  ).map((p) => `${p.kind}:${p.seller_id}`);

const balanceOf = async (sellerId: string) => (await h.ledger.balances(sellerId))[0];

async function trialBalanceIsZero() {
  const items = await h.ledger.trialBalance();
  expect(items.reduce((a, i) => a + i.balance, 0)).toBe(0);
  return Object.fromEntries(items.map((i) => [i.account, i.balance]));
}

describe('commission rules', () => {
  it('charges the rule of the deepest category on the product path, then the default', async () => {
    await h.rules.put({ category: 'Electronics', percentBps: 800 });
    await h.rules.put({
      category: 'electronics/phones',
      percentBps: 500,
      fixedFee: { amount: 30, currency: 'EUR' },
    });
    const seller = newId();
    const phone = h.market.product(seller, ['Electronics', 'Phones', 'Android']);
    const cable = h.market.product(seller, ['Electronics', 'Cables']);
    const book = h.market.product(seller, ['Books']);
    const order = h.market.order([
      { sellerId: seller, productId: phone, unit: 10_001, quantity: 2 }, // 5 % of 20002 = 1000.1 -> 1000, + 2 × 30
      { sellerId: seller, productId: cable, unit: 1_250, quantity: 1 }, // 8 % = 100
      { sellerId: seller, productId: book, unit: 1_005, quantity: 1 }, // default 10 % = 100.5 -> 101 (half up)
    ]);
    await h.infra.bus.publish(paidEvent(order));
    const [sale] = await h.ledger.store.salesOf(h.ledger.store.db, order.id);
    expect(sale).toMatchObject({ gross: 20_002 + 1_250 + 1_005, commission: 1_060 + 100 + 101 });
    // Owed 22257 - 1261 = 20996, of which 10 % (2099, rounded down) is held in reserve.
    expect(await balanceOf(seller)).toMatchObject({ available: 18_897, reserved: 2_099 });
  });

  it('refuses a negative fee, a percentage above 100 % and an empty category, and changes nothing', async () => {
    await h.rules.put({ category: 'Books', percentBps: 700 });
    const before = await h.rules.list();
    for (const bad of [
      { category: 'Books', percentBps: 500, fixedFee: { amount: -1, currency: 'EUR' } },
      { category: 'Books', percentBps: 15_000 },
      { category: 'Books', percentBps: -1 },
      { category: 'Books', percentBps: 12.5 },
      { category: ' / ', percentBps: 100 },
    ]) {
      const error = await h.rules.put(bad).catch((e: unknown) => e);
      expect(isAppError(error) && error.kind).toBe('Validation');
    }
    expect(await h.rules.list()).toEqual(before);
  });

  it('keeps the platform default: it may change, not go', async () => {
    await expect(h.rules.remove('')).rejects.toMatchObject({ kind: 'Conflict' });
    await h.rules.put({ category: null, percentBps: 1_500 });
    expect((await h.rules.list()).find((r) => r.category === null)?.percentBps).toBe(1_500);
    await h.rules.put({ category: null, percentBps: 1_000 });
    await h.rules.remove('Books');
    await expect(h.rules.remove('Books')).rejects.toMatchObject({ kind: 'NotFound' });
  });
});

describe('postings', () => {
  it('posts a sale and a commission per seller of a flash sale, and the books balance', async () => {
    const sellers = [newId(), newId(), newId()];
    const products = sellers.map((s) => h.market.product(s, ['Home', 'Lighting']));
    const orders = Array.from({ length: 30 }, (_, i) =>
      h.market.order(
        sellers
          .filter((_, s) => (i + s) % 3 !== 0)
          .map((sellerId, s) => ({
            sellerId,
            productId: products[sellers.indexOf(sellerId)]!,
            unit: 999 + s,
            quantity: 1 + (i % 3),
          })),
      ),
    );
    await Promise.all(orders.map((o) => h.infra.bus.publish(paidEvent(o))));
    for (const o of orders) {
      const sellersOf = [...new Set(o.lines.map((l) => l.sellerId))].sort();
      expect(await kindsOf(o.id)).toEqual([
        ...sellersOf.map((s) => `commission:${s}`),
        ...sellersOf.map((s) => `sale:${s}`),
      ]);
    }
    await trialBalanceIsZero();
    const sales = (
      await Promise.all(orders.map((o) => h.ledger.store.salesOf(h.ledger.store.db, o.id)))
    ).flat();
    expect(sales.reduce((a, s) => a + s.gross, 0)).toBe(orders.reduce((a, o) => a + o.total.amount, 0));
    const tenPercentHalfUp = (amount: number) => Math.floor((amount * 1000 + 5000) / 10000);
    expect(sales.reduce((a, s) => a + s.commission, 0)).toBe(
      orders.flatMap((o) => o.lines).reduce((a, l) => a + tenPercentHalfUp(l.lineTotal.amount), 0),
    );
  });

  it('posts nothing twice for a redelivered event, nor for the same sale under another event id', async () => {
    const seller = newId();
    const order = h.market.order([
      { sellerId: seller, productId: h.market.product(seller, []), unit: 500, quantity: 1 },
    ]);
    const event = paidEvent(order);
    await h.infra.bus.publish(event);
    await h.infra.bus.publish(event);
    await h.infra.bus.publish(paidEvent(order));
    expect(await kindsOf(order.id)).toEqual([`commission:${seller}`, `sale:${seller}`]);
    expect((await balanceOf(seller))?.available).toBe(500 - 50 - 45);
  });

  it('loses nothing when the process dies between the event and the commit: the marker rolls back too', async () => {
    const seller = newId();
    const order = h.market.order([
      { sellerId: seller, productId: h.market.product(seller, []), unit: 700, quantity: 1 },
    ]);
    const event = paidEvent(order);
    // A ledger that dies after writing the postings, before the transaction commits.
    class DyingLedger extends Ledger {
      override async recordSale(trx: Db, sale: OrderSale) {
        await super.recordSale(trx, sale);
        throw new Error('process killed');
      }
    }
    const dying = new DyingLedger(h.ledger.store, { bps: 1000, days: 30 });
    await expect(postSale({ ledger: dying, rules: h.rules, deps: h.market }, event)).rejects.toThrow(
      'killed',
    );
    expect(await kindsOf(order.id)).toEqual([]);
    const markers = await h.ledger.store.db
      .selectFrom('processed_events')
      .selectAll()
      .where('event_id', '=', event.id)
      .execute();
    expect(markers).toEqual([]);
    // The bus redelivers: everything is posted, once.
    await h.infra.bus.publish(event);
    expect(await kindsOf(order.id)).toEqual([`commission:${seller}`, `sale:${seller}`]);
  });

  it('reverses each seller share and its commission in proportion to a refund, exactly on a full one', async () => {
    const [a, b] = [newId(), newId()];
    const order = h.market.order([
      { sellerId: a, productId: h.market.product(a, []), unit: 3_333, quantity: 1 },
      { sellerId: b, productId: h.market.product(b, []), unit: 6_667, quantity: 1 },
    ]);
    await h.infra.bus.publish(paidEvent(order));
    await h.infra.bus.publish(refundEvent(order.id, 5_000, 10_000));
    let sales = await h.ledger.store.salesOf(h.ledger.store.db, order.id);
    // Half of 10000 spread 3333:6667 is 1666.5 and 3333.5: the tie's unit goes to the first seller by id.
    // Commissions 333 and 667 follow: 333 × 1667/3333 = 166.55 -> 167, or 333 × 1666/3333 = 166.45 -> 166.
    const aFirst = a < b;
    const expected = { [a]: aFirst ? [1_667, 167] : [1_666, 166], [b]: aFirst ? [3_333, 333] : [3_334, 334] };
    expect(
      Object.fromEntries(sales.map((s) => [s.seller_id, [s.reversed_gross, s.reversed_commission]])),
    ).toEqual(expected);
    await trialBalanceIsZero();
    await h.infra.bus.publish(refundEvent(order.id, 10_000, 10_000));
    sales = await h.ledger.store.salesOf(h.ledger.store.db, order.id);
    expect(sales.map((s) => [s.reversed_gross - s.gross, s.reversed_commission - s.commission])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    await trialBalanceIsZero();
    expect(await balanceOf(a)).toMatchObject({ available: 0, reserved: 0 });
    expect(await balanceOf(b)).toMatchObject({ available: 0, reserved: 0 });
  });

  it('applies a refund reported before its sale when the sale arrives', async () => {
    const seller = newId();
    const order = h.market.order([
      { sellerId: seller, productId: h.market.product(seller, []), unit: 2_000, quantity: 1 },
    ]);
    await h.infra.bus.publish(refundEvent(order.id, 2_000, 2_000));
    await h.infra.bus.publish(paidEvent(order));
    expect(await kindsOf(order.id)).toEqual([`commission:${seller}`, `refund:${seller}`, `sale:${seller}`]);
    expect((await balanceOf(seller))?.available).toBe(0);
    const refund = refundEvent(order.id, 2_000, 2_000);
    await h.infra.bus.publish(refund);
    await h.infra.bus.publish(refund);
    expect(await kindsOf(order.id)).toEqual([`commission:${seller}`, `refund:${seller}`, `sale:${seller}`]);
    const consumers = await h.ledger.store.db
      .selectFrom('processed_events')
      .select('consumer')
      .where('event_id', '=', refund.id)
      .execute();
    expect(consumers).toEqual([{ consumer: REFUNDS_CONSUMER }]);
  });

  it('refuses, in the database, a posting that does not balance and any rewrite of the books', async () => {
    const db = h.ledger.store.db;
    const source = `test:${newId()}`;
    const unbalanced = db.transaction().execute((trx) =>
      h.ledger.store.post(trx, [
        {
          id: newId(),
          kind: 'adjustment',
          source,
          lines: [
            { account: { kind: 'clearing', currency: 'EUR' }, amount: 100 },
            { account: { kind: 'commission_revenue', currency: 'EUR' }, amount: -99 },
          ],
        },
      ]),
    );
    await expect(unbalanced).rejects.toThrow(/does not balance/);
    expect(await db.selectFrom('postings').selectAll().where('source', '=', source).execute()).toEqual([]);
    await h.ledger.adjust({
      sellerId: newId(),
      amount: { amount: 100, currency: 'EUR' },
      memo: 'goodwill',
      key: 'k',
    });
    await expect(sql`update ledger.lines set amount = 0`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger.postings`.execute(db)).rejects.toThrow(/append-only/);
  });
});

describe('payouts', () => {
  async function sell(seller: string, unit: number) {
    const order = h.market.order([
      { sellerId: seller, productId: h.market.product(seller, []), unit, quantity: 1 },
    ]);
    await h.infra.bus.publish(paidEvent(order));
    return order;
  }

  it('pays each seller its balance less the reserve, and the payout settles at the bank', async () => {
    const seller = newId();
    await sell(seller, 10_000); // 9000 owed after 10 % commission; 10 % of it (900) reserved
    expect(await balanceOf(seller)).toEqual({
      currency: 'EUR',
      pending: 0,
      available: 8_100,
      reserved: 900,
      paidOut: 0,
    });
    const [payout] = (await h.payouts.payEveryone()).filter((p) => p.sellerId === seller);
    expect(payout?.amount).toEqual({ amount: 8_100, currency: 'EUR' });
    await h.payouts.settleOpen();
    expect(await balanceOf(seller)).toEqual({
      currency: 'EUR',
      pending: 0,
      available: 0,
      reserved: 900,
      paidOut: 8_100,
    });
    await trialBalanceIsZero();
    const statement = await h.ledger.statement(seller, {
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
      limit: 50,
    });
    expect(statement.map((e) => [e.kind, e.amount, e.reserve])).toEqual([
      ['sale', 10_000, 0],
      ['commission', -1_000, 0],
      ['reserve', -900, 900],
      ['payout', -8_100, 0],
    ]);
  });

  it('refuses a payout above the available balance and changes nothing', async () => {
    const seller = newId();
    await sell(seller, 1_000);
    const before = await h.ledger.trialBalance();
    await expect(h.payouts.request(seller, { amount: 811, currency: 'EUR' }, 'k1')).rejects.toMatchObject({
      kind: 'Conflict',
    });
    expect(await h.ledger.trialBalance()).toEqual(before);
    expect(await h.payouts.list(seller)).toEqual([]);
    const ok = await h.payouts.request(seller, { amount: 810, currency: 'EUR' }, 'k2');
    expect(await h.payouts.request(seller, { amount: 810, currency: 'EUR' }, 'k2')).toMatchObject({
      id: ok.id,
    });
    await expect(h.payouts.request(seller, { amount: 1, currency: 'EUR' }, 'k3')).rejects.toMatchObject({
      kind: 'Conflict',
    });
  });

  it('spends one balance once under concurrent payout requests', async () => {
    const seller = newId();
    await sell(seller, 10_000);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        h.payouts.request(seller, { amount: 5_000, currency: 'EUR' }, `c${i}`),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const twins = await Promise.all(
      [0, 1, 2].map(() => h.payouts.request(seller, { amount: 100, currency: 'EUR' }, 'twin')),
    );
    expect(new Set(twins.map((t) => t.id)).size).toBe(1);
    expect((await balanceOf(seller))?.available).toBe(3_000);
  });

  it('returns a failed payout to the seller balance', async () => {
    const seller = newId();
    await sell(seller, 10_000);
    await (h.provider as SandboxPayoutProvider).closeAccount(seller);
    const payout = await h.payouts.request(seller, { amount: 8_000, currency: 'EUR' }, 'p');
    await h.payouts.settleOpen();
    const [after] = await h.payouts.list(seller);
    expect(after).toMatchObject({ id: payout.id, status: 'failed', failure: 'account_closed' });
    expect(await balanceOf(seller)).toMatchObject({ available: 8_100, pending: 0, paidOut: 0 });
    await trialBalanceIsZero();
  });

  it('keeps a payout pending until the bank settles it', async () => {
    const seller = newId();
    await sell(seller, 10_000);
    const slowBank = await SandboxPayoutProvider.open(h.infra.db, { settleMs: 3_600_000 });
    const payouts = new Payouts(h.ledger.store, h.ledger, slowBank, h.infra.logger, 3_600_000);
    await payouts.request(seller, { amount: 8_100, currency: 'EUR' }, 'slow');
    await payouts.settleOpen();
    expect(await balanceOf(seller)).toEqual({
      currency: 'EUR',
      pending: 8_100,
      available: 0,
      reserved: 900,
      paidOut: 0,
    });
  });
});
