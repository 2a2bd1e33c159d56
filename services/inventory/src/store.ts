import { sql, type Generated, type Kysely } from 'kysely';
import { createEvent, writeEvents, type OutboxTables } from '@emporium/platform';
import {
  STOCK_CHANGED,
  type Reservation,
  type ReservationLine,
  type ReservationStatus,
  type StockChangedEvent,
  type StockLevel,
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
      const row = await trx
        .selectFrom('stock')
        .select(['sku', 'seller_id', 'on_hand', 'reserved'])
        .where('sku', '=', sku)
        .forUpdate()
        .executeTakeFirst();
      const onHand = decide(row);
      if (!row) throw new Error('decide must throw for a missing row');
      const updated = await trx
        .updateTable('stock')
        .set({ on_hand: onHand, updated_at: sql`now()` })
        .where('sku', '=', sku)
        .returning(['sku', 'seller_id', 'on_hand', 'reserved'])
        .executeTakeFirstOrThrow();
      const delta = onHand - row.on_hand;
      if (delta !== 0) {
        await trx
          .insertInto('movements')
          .values({
            sku,
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
    });
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
