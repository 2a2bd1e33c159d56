import { sql, type Generated, type Kysely } from 'kysely';
import { createEvent, writeEvents, type OutboxTables } from '@emporium/platform';
import {
  STOCK_CHANGED,
  type Reservation,
  type ReservationLine,
  type ReservationStatus,
  type StockChangedEvent,
  type StockLevel,
  type StockRequest,
  type StockRequestOutcome,
} from './types.ts';

export interface InventoryDB extends OutboxTables {
  stock: {
    sku: string;
    seller_id: string;
    on_hand: Generated<number>;
    reserved: Generated<number>;
    updated_at: Generated<string>;
  };
  reservations: {
    id: string;
    status: ReservationStatus;
    expires_at: string;
    created_at: Generated<string>;
    closed_at: string | null;
    reason: string | null;
  };
  reservation_lines: { reservation_id: string; sku: string; quantity: number };
  movements: {
    seq: Generated<number>;
    sku: string;
    kind: 'adjust' | 'reserve' | 'commit' | 'release' | 'restock';
    on_hand_delta: number;
    reserved_delta: number;
    reservation_id: string | null;
    reason: string | null;
    created_at: Generated<string>;
  };
  catalog_stock_requests: { sku: string; requested_at: string; event_id: string };
}

export type Db = Kysely<InventoryDB>;

interface StockRow {
  sku: string;
  seller_id: string;
  on_hand: number;
  reserved: number;
}

export const toLevel = (r: StockRow): StockLevel => ({
  sku: r.sku,
  sellerId: r.seller_id,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
});

const changedEvent = (r: StockRow) =>
  createEvent<StockChangedEvent>(STOCK_CHANGED, r.sku, {
    sku: r.sku,
    available: r.on_hand - r.reserved,
    inStock: r.on_hand - r.reserved > 0,
    onHand: r.on_hand,
    reserved: r.reserved,
  });

export interface BatchRequest {
  id: string;
  ttl: number;
  lines: ReservationLine[];
}
export type BatchResult =
  | { id: string; ok: true; existing: boolean; status: ReservationStatus; expiresAt: string }
  | { id: string; ok: false; short: string[] };

/** Commit or release an active reservation, or restock a committed one. */
export interface CloseRequest {
  id: string;
  to: 'committed' | 'released' | 'restocked';
  reason: string;
}
/** The status the reservation had before (the change applied only if it was the expected one). */
export interface CloseResult {
  id: string;
  before: ReservationStatus | 'missing';
}

export class InventoryStore {
  constructor(readonly db: Db) {}

  async insertSkus(items: { sku: string; sellerId: string }[]): Promise<StockRow[]> {
    await this.db
      .insertInto('stock')
      .values(items.map((i) => ({ sku: i.sku, seller_id: i.sellerId })))
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute();
    return this.levels(items.map((i) => i.sku));
  }

  async levels(skus: string[]): Promise<StockRow[]> {
    if (skus.length === 0) return [];
    return this.db
      .selectFrom('stock')
      .select(['sku', 'seller_id', 'on_hand', 'reserved'])
      .where('sku', 'in', skus)
      .execute();
  }

  /** Locks the row, so the ledger delta is computed against the value it replaces. */
  async setOnHand(
    sku: string,
    decide: (row: StockRow | undefined) => number,
  ): Promise<StockRow & { delta: number }> {
    return this.db.transaction().execute(async (trx) => {
      const [row] = await lockRows(trx, [sku]);
      const onHand = decide(row);
      if (!row) throw new Error('decide must throw for a missing row');
      return adjustOnHand(trx, row, onHand);
    });
  }

  /**
   * Applies a catalog stock request inside the caller's transaction (the one holding its processed-event
   * marker): registers the skus, then sets each line that no newer request has set already. Rows are
   * locked in sku order, as reserve_batch and close_batch lock them, so none of them deadlock.
   */
  async applyStockRequest(
    trx: Db,
    eventId: string,
    request: StockRequest,
  ): Promise<{ refused: StockRequestOutcome['refused']; changed: number }> {
    const lines = [...request.lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const skus = lines.map((l) => l.sku);
    await trx
      .insertInto('stock')
      .values(skus.map((sku) => ({ sku, seller_id: request.sellerId })))
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute();
    const rows = new Map((await lockRows(trx, skus)).map((r) => [r.sku, r]));
    const newer = await newerRequests(trx, skus, request.requestedAt);
    const refused: StockRequestOutcome['refused'] = [];
    let changed = 0;
    for (const line of lines) {
      const row = rows.get(line.sku)!;
      if (newer.has(line.sku)) continue;
      const reason = refusalOf(row, request, line.onHand);
      if (reason) {
        refused.push({ sku: line.sku, reason });
        continue;
      }
      if ((await adjustOnHand(trx, row, line.onHand)).delta !== 0) changed++;
      await recordRequest(trx, line.sku, request.requestedAt, eventId);
    }
    return { refused, changed };
  }

  async reserveBatch(requests: BatchRequest[]): Promise<BatchResult[]> {
    const { rows } = await sql<{
      results: BatchResult[];
    }>`select ${sql.id('inventory', 'reserve_batch')}(${JSON.stringify(requests)}::jsonb) as results`.execute(
      this.db,
    );
    return rows[0]?.results ?? [];
  }

  async reservation(id: string): Promise<Reservation | undefined> {
    const head = await this.db
      .selectFrom('reservations')
      .select(['id', 'status', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!head) return undefined;
    const lines = await this.reservationLines(id);
    return { id: head.id, status: head.status, lines, expiresAt: new Date(head.expires_at).toISOString() };
  }

  /** One call to close_batch (migration 0003): every request's lines, ledger rows and events at once. */
  async closeBatch(requests: CloseRequest[]): Promise<CloseResult[]> {
    const { rows } = await sql<{
      results: CloseResult[];
    }>`select ${sql.id('inventory', 'close_batch')}(${JSON.stringify(requests)}::jsonb) as results`.execute(
      this.db,
    );
    return rows[0]?.results ?? [];
  }

  async reservationLines(id: string): Promise<ReservationLine[]> {
    return this.db
      .selectFrom('reservation_lines')
      .select(['sku', 'quantity'])
      .where('reservation_id', '=', id)
      .orderBy('sku')
      .execute();
  }

  async expiredReservations(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('reservations')
      .select('id')
      .where('status', '=', 'active')
      .where('expires_at', '<', sql<string>`now()`)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Sum of the ledger per SKU, for audits and tests. */
  async ledger(skus: string[]): Promise<Record<string, { onHand: number; reserved: number }>> {
    if (skus.length === 0) return {};
    const rows = await this.db
      .selectFrom('movements')
      .select((eb) => [
        'sku',
        eb.fn.sum<number>('on_hand_delta').as('on_hand'),
        eb.fn.sum<number>('reserved_delta').as('reserved'),
      ])
      .where('sku', 'in', skus)
      .groupBy('sku')
      .execute();
    return Object.fromEntries(
      rows.map((r) => [r.sku, { onHand: Number(r.on_hand), reserved: Number(r.reserved) }]),
    );
  }
}

async function lockRows(trx: Db, skus: string[]): Promise<StockRow[]> {
  return trx
    .selectFrom('stock')
    .select(['sku', 'seller_id', 'on_hand', 'reserved'])
    .where('sku', 'in', skus)
    .orderBy('sku')
    .forUpdate()
    .execute();
}

/** Sets a locked row's on-hand; a real change writes its ledger movement and its stock event. */
async function adjustOnHand(trx: Db, row: StockRow, onHand: number): Promise<StockRow & { delta: number }> {
  const updated = await trx
    .updateTable('stock')
    .set({ on_hand: onHand, updated_at: sql`now()` })
    .where('sku', '=', row.sku)
    .returning(['sku', 'seller_id', 'on_hand', 'reserved'])
    .executeTakeFirstOrThrow();
  const delta = onHand - row.on_hand;
  if (delta !== 0) {
    await trx
      .insertInto('movements')
      .values({
        sku: row.sku,
        kind: 'adjust',
        on_hand_delta: delta,
        reserved_delta: 0,
        reservation_id: null,
        reason: 'set stock',
      })
      .execute();
    await writeEvents(trx, [changedEvent(updated)]);
  }
  return { ...updated, delta };
}

/** Why a line of a stock request cannot apply, the same rules as setStock; undefined when it can. */
function refusalOf(row: StockRow, request: StockRequest, onHand: number): string | undefined {
  if (row.seller_id !== request.sellerId) return 'the sku belongs to another seller';
  if (request.actor.role !== 'admin' && request.actor.id !== row.seller_id) return 'the sku is not yours';
  if (onHand < row.reserved) return `${row.reserved} units are reserved by open orders`;
  return undefined;
}

async function newerRequests(trx: Db, skus: string[], requestedAt: string): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('catalog_stock_requests')
    .select('sku')
    .where('sku', 'in', skus)
    .where('requested_at', '>', requestedAt)
    .execute();
  return new Set(rows.map((r) => r.sku));
}

async function recordRequest(trx: Db, sku: string, requestedAt: string, eventId: string): Promise<void> {
  await trx
    .insertInto('catalog_stock_requests')
    .values({ sku, requested_at: requestedAt, event_id: eventId })
    .onConflict((oc) =>
      oc.column('sku').doUpdateSet((eb) => ({
        requested_at: eb.ref('excluded.requested_at'),
        event_id: eb.ref('excluded.event_id'),
      })),
    )
    .execute();
}
