import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  InProcessEventBus,
  MemoryCache,
  createMetricsRegistry,
  newId,
  type DomainEvent,
  type Infrastructure,
} from '@emporium/platform';
import {
  buildTestApp,
  silentLogger,
  startJobs,
  testDatabase,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createInventoryService } from './service.ts';
import type { Inventory } from './inventory.ts';
import { StockRequested, type StockRequest } from './types.ts';

type Tokens = Awaited<ReturnType<typeof testTokens>>;

describe(`inventory (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let infra: Infrastructure;
  let inventory: Inventory;
  let stop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Tokens;
  const events: DomainEvent[] = [];
  const seller = newId();

  beforeAll(async () => {
    database = await testDatabase();
    const bus = new InProcessEventBus();
    await bus.subscribe('test', ['inventory.>'], async (e) => void events.push(e));
    infra = {
      db: database,
      cache: new MemoryCache(),
      redis: undefined,
      deploymentName: 'emporium',
      bus,
      metrics: createMetricsRegistry(),
      logger: silentLogger(),
      close: async () => undefined,
    };
    const built = await createInventoryService({ config: {} as never, infra }, { sweepIntervalMs: 0 });
    inventory = built.api;
    await built.module.start?.();
    tokens = await testTokens();
    app = await buildTestApp([built.module], tokens.verifier);
    stop = async () => {
      await app.close();
      await built.module.stop?.();
    };
  });
  afterAll(async () => {
    await stop();
    await database.close();
  });

  async function stocked(onHand: number, owner = seller): Promise<string> {
    const sku = uniqueName('SKU').toUpperCase();
    await inventory.registerSkus([{ sku, sellerId: owner }]);
    await inventory.setStock({ id: owner, role: 'seller' }, sku, onHand);
    return sku;
  }

  async function expectLedgerMatches(skus: string[]) {
    const ledger = await inventory.store.ledger(skus);
    for (const level of await inventory.getStock(skus)) {
      expect(ledger[level.sku] ?? { onHand: 0, reserved: 0 }).toEqual({
        onHand: level.onHand,
        reserved: level.reserved,
      });
    }
  }

  const stockRequest = (lines: StockRequest['lines'], requestedAt: string, actor = seller) =>
    StockRequested.create(newId(), {
      actor: { id: actor, role: 'seller' },
      sellerId: seller,
      requestedAt,
      lines,
    });

  it('applies a catalog stock request once per event id, registering its skus for the seller', async () => {
    const sku = uniqueName('SKU').toUpperCase();
    const request = stockRequest([{ sku, onHand: 4 }], new Date().toISOString());
    expect(await inventory.applyStockRequest(request)).toEqual({ applied: true, refused: [] });
    await inventory.setStock({ id: seller, role: 'seller' }, sku, 1);
    // A redelivery after the seller changed the stock must not put the old number back.
    expect(await inventory.applyStockRequest(structuredClone(request))).toEqual({
      applied: false,
      refused: [],
    });
    expect(await inventory.getStock([sku])).toEqual([
      { sku, sellerId: seller, onHand: 1, reserved: 0, available: 1 },
    ]);
    await expectLedgerMatches([sku]);
  });

  it('skips a stock request older than the one last applied to a sku', async () => {
    const [a, b] = [uniqueName('SKU').toUpperCase(), uniqueName('SKU').toUpperCase()];
    const older = stockRequest(
      [
        { sku: a, onHand: 5 },
        { sku: b, onHand: 6 },
      ],
      new Date(Date.now() - 60_000).toISOString(),
    );
    const newer = stockRequest([{ sku: a, onHand: 7 }], new Date().toISOString());
    await inventory.applyStockRequest(newer);
    // The older one arrives late (redelivered after an outage): a loses nothing, b is still set.
    expect(await inventory.applyStockRequest(older)).toEqual({ applied: true, refused: [] });
    const levels = await inventory.getStock([a, b]);
    expect(Object.fromEntries(levels.map((l) => [l.sku, l.onHand]))).toEqual({ [a]: 7, [b]: 6 });
    await expectLedgerMatches([a, b]);
  });

  it('refuses stock request lines it cannot apply and applies the rest', async () => {
    const theirs = await stocked(2, newId());
    const held = await stocked(3);
    await inventory.reserve({ reservationId: newId(), lines: [{ sku: held, quantity: 2 }] });
    const free = uniqueName('SKU').toUpperCase();
    const outcome = await inventory.applyStockRequest(
      stockRequest(
        [
          { sku: theirs, onHand: 9 },
          { sku: held, onHand: 1 },
          { sku: free, onHand: 8 },
        ],
        new Date().toISOString(),
      ),
    );
    expect(outcome.applied).toBe(true);
    expect(outcome.refused.map((r) => r.sku).sort()).toEqual([held, theirs].sort());
    const levels = await inventory.getStock([theirs, held, free]);
    expect(Object.fromEntries(levels.map((l) => [l.sku, l.onHand]))).toEqual({
      [theirs]: 2,
      [held]: 3,
      [free]: 8,
    });
    const stranger = stockRequest([{ sku: free, onHand: 1 }], new Date().toISOString(), newId());
    expect((await inventory.applyStockRequest(stranger)).refused).toEqual([
      { sku: free, reason: 'the sku is not yours' },
    ]);
  });

  it('consumes catalog.stock.requested from the bus', async () => {
    const sku = uniqueName('SKU').toUpperCase();
    await infra.bus.publish(stockRequest([{ sku, onHand: 11 }], new Date().toISOString()));
    expect((await inventory.getStock([sku]))[0]?.onHand).toBe(11);
  });

  it('refuses to give a SKU to a second seller', async () => {
    const sku = await stocked(1);
    await inventory.registerSkus([{ sku, sellerId: seller }]);
    await expect(inventory.registerSkus([{ sku, sellerId: newId() }])).rejects.toMatchObject({
      kind: 'Conflict',
    });
  });

  it('lets only the owner or an admin set stock', async () => {
    const sku = await stocked(5);
    await expect(inventory.setStock({ id: newId(), role: 'seller' }, sku, 9)).rejects.toMatchObject({
      kind: 'Forbidden',
    });
    await expect(inventory.setStock({ id: seller, role: 'seller' }, 'NOPE-1', 9)).rejects.toMatchObject({
      kind: 'NotFound',
    });
    expect((await inventory.setStock({ id: newId(), role: 'admin' }, sku, 9)).onHand).toBe(9);
  });

  it('reserves all lines or none, naming the short SKUs', async () => {
    const a = await stocked(3);
    const b = await stocked(1);
    await expect(
      inventory.reserve({
        reservationId: newId(),
        lines: [
          { sku: a, quantity: 2 },
          { sku: b, quantity: 2 },
        ],
      }),
    ).rejects.toMatchObject({ kind: 'Conflict', details: { skus: [b] } });
    const availability = await inventory.getAvailability([a, b]);
    expect(availability[a]).toEqual({ available: 3, inStock: true });
    expect(availability[b]).toEqual({ available: 1, inStock: true });
    await expectLedgerMatches([a, b]);
  });

  it('is idempotent per reservation id', async () => {
    const sku = await stocked(5);
    const reservationId = newId();
    const first = await inventory.reserve({ reservationId, lines: [{ sku, quantity: 2 }] });
    const again = await inventory.reserve({ reservationId, lines: [{ sku, quantity: 2 }] });
    expect(again).toEqual(first);
    expect((await inventory.getAvailability([sku]))[sku]?.available).toBe(3);
  });

  it('never oversells under 60 concurrent buyers of 10 units', async () => {
    const sku = await stocked(10);
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () =>
        inventory.reserve({ reservationId: newId(), lines: [{ sku, quantity: 1 }] }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const [level] = await inventory.getStock([sku]);
    expect(level).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    await expectLedgerMatches([sku]);
  });

  it('commits and releases exactly once', async () => {
    const sku = await stocked(4);
    const paid = newId();
    const cancelled = newId();
    await inventory.reserve({ reservationId: paid, lines: [{ sku, quantity: 1 }] });
    await inventory.reserve({ reservationId: cancelled, lines: [{ sku, quantity: 2 }] });
    await Promise.all([inventory.commit(paid), inventory.commit(paid)]);
    await Promise.all([inventory.release(cancelled, 'cancel'), inventory.release(cancelled, 'cancel')]);
    await inventory.release(paid, 'too late');
    await expect(inventory.commit(cancelled)).rejects.toMatchObject({ kind: 'Conflict' });
    const [level] = await inventory.getStock([sku]);
    expect(level).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    await expectLedgerMatches([sku]);
  });

  it('restocks a committed reservation once, with a ledger movement and a stock event', async () => {
    const sku = await stocked(5);
    const other = await stocked(5);
    const order = newId();
    await inventory.reserve({
      reservationId: order,
      lines: [
        { sku, quantity: 2 },
        { sku: other, quantity: 1 },
      ],
    });
    await inventory.commit(order);
    expect((await inventory.getStock([sku]))[0]).toMatchObject({ onHand: 3, reserved: 0 });
    const seen = events.length;
    await Promise.all([inventory.restock(order, 'refunded'), inventory.restock(order, 'refunded')]);
    await inventory.restock(order, 'refunded again');
    const levels = await inventory.getStock([sku, other]);
    expect(levels.find((l) => l.sku === sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(levels.find((l) => l.sku === other)).toMatchObject({ onHand: 5, reserved: 0 });
    expect((await inventory.store.reservation(order))?.status).toBe('restocked');
    await expectLedgerMatches([sku, other]);
    const kinds = await inventory.store.db
      .selectFrom('movements')
      .select('kind')
      .where('reservation_id', '=', order)
      .where('sku', '=', sku)
      .orderBy('seq')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['reserve', 'commit', 'restock']);
    await expect
      .poll(
        () =>
          events.slice(seen).some((e) => e.subject === sku && (e.data as { onHand: number }).onHand === 5),
        {
          timeout: 5_000,
        },
      )
      .toBe(true);
  });

  it('restocks nothing for a reservation that was never committed', async () => {
    const sku = await stocked(3);
    const released = newId();
    const open = newId();
    await inventory.reserve({ reservationId: released, lines: [{ sku, quantity: 1 }] });
    await inventory.reserve({ reservationId: open, lines: [{ sku, quantity: 1 }] });
    await inventory.release(released, 'payment failed');
    await inventory.restock(released, 'refund');
    await inventory.restock(open, 'refund');
    await expect(inventory.restock(newId(), 'refund')).rejects.toMatchObject({ kind: 'NotFound' });
    expect((await inventory.getStock([sku]))[0]).toMatchObject({ onHand: 3, reserved: 1 });
    expect((await inventory.store.reservation(open))?.status).toBe('active');
    await expectLedgerMatches([sku]);
  });

  it('refuses stock below what is reserved, and the database refuses negatives too', async () => {
    const sku = await stocked(4);
    await inventory.reserve({ reservationId: newId(), lines: [{ sku, quantity: 3 }] });
    await expect(inventory.setStock({ id: seller, role: 'seller' }, sku, 2)).rejects.toMatchObject({
      kind: 'Conflict',
    });
    const db = inventory.store.db;
    await expect(
      sql`update ${sql.id('inventory', 'stock')} set reserved = on_hand + 1 where sku = ${sku}`.execute(db),
    ).rejects.toThrow(/reserved_within_on_hand/);
  });

  async function expiredReservation(): Promise<string> {
    const sku = await stocked(2);
    await inventory.reserve({ reservationId: newId(), lines: [{ sku, quantity: 2 }], ttlSeconds: 1 });
    await sql`update ${sql.id('inventory', 'reservations')} set expires_at = now() - interval '1 second'
      where id in (select reservation_id from ${sql.id('inventory', 'reservation_lines')} where sku = ${sku})`.execute(
      inventory.store.db,
    );
    return sku;
  }

  it('releases expired reservations in the sweeper', async () => {
    const sku = await expiredReservation();
    // On a shared server other suites' expired reservations may come first: sweep until ours is gone.
    let released = 0;
    for (let round = 0; round < 200 && (await inventory.getStock([sku]))[0]?.reserved; round++)
      released += await inventory.sweep();
    expect(released).toBeGreaterThanOrEqual(1);
    expect((await inventory.getAvailability([sku]))[sku]).toEqual({ available: 2, inStock: true });
    await expectLedgerMatches([sku]);
  });

  it('declares its sweeper as a job that the scheduler runs', async () => {
    const scheduled = await createInventoryService({ config: {} as never, infra }, { sweepIntervalMs: 50 });
    expect(scheduled.module.jobs?.map((job) => job.name)).toEqual(['inventory.reservation-sweep']);
    const sku = await expiredReservation();
    const jobs = await startJobs([scheduled.module], infra);
    try {
      await expect
        .poll(async () => (await inventory.getStock([sku]))[0]?.reserved, { timeout: 20_000 })
        .toBe(0);
    } finally {
      await jobs.stop();
    }
    await expectLedgerMatches([sku]);
  });

  it('rejects bad quantities and unknown SKUs', async () => {
    const sku = await stocked(2);
    for (const quantity of [0, -1, 1e6, 1.5])
      await expect(
        inventory.reserve({ reservationId: newId(), lines: [{ sku, quantity }] }),
      ).rejects.toMatchObject({
        kind: 'Validation',
      });
    await expect(
      inventory.reserve({ reservationId: newId(), lines: [{ sku: 'UNKNOWN-SKU-X', quantity: 1 }] }),
    ).rejects.toMatchObject({ kind: 'Conflict', details: { skus: ['UNKNOWN-SKU-X'] } });
  });

  it('emits stock.changed events through the outbox', async () => {
    const sku = await stocked(7);
    await expect.poll(() => events.some((e) => e.subject === sku), { timeout: 5_000 }).toBe(true);
  });

  it('serves PUT /api/v1/seller/inventory/{sku} to the owning seller only', async () => {
    const sku = await stocked(1);
    const put = async (role: 'seller' | 'customer', id: string, onHand: unknown) =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/seller/inventory/${sku}`,
        headers: { authorization: `Bearer ${await tokens.tokenFor({ id, role })}` },
        payload: { onHand },
      });
    const ok = await put('seller', seller, 12);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ sku, onHand: 12, available: 12 });
    expect((await put('seller', newId(), 3)).statusCode).toBe(403);
    expect((await put('customer', seller, 3)).statusCode).toBe(403);
    expect((await put('seller', seller, -1)).statusCode).toBe(400);
    expect((await inventory.getStock([sku]))[0]?.onHand).toBe(12);
  });
});
