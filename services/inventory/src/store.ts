import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
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
    kind: 'adjust' | 'reserve' | 'commit' | 'release';
    on_hand_delta: number;
    reserved_delta: number;
    reservation_id: string | null;
    reason: string | null;
    created_at: Generated<string>;
  };
}

export type Db = Kysely<InventoryDB>;
type Trx = Transaction<InventoryDB>;

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
export type BatchResult = { id: string; ok: true } | { id: string; ok: false; short: string[] };

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
    const lines = await this.db
      .selectFrom('reservation_lines')
      .select(['sku', 'quantity'])
      .where('reservation_id', '=', id)
      .orderBy('sku')
      .execute();
    return { id: head.id, status: head.status, lines, expiresAt: new Date(head.expires_at).toISOString() };
  }

  /**
   * Moves an active reservation to `to`; the status update is the guard (only one caller wins), and
   * the stock rows are then updated in sku order, the same order reserve_batch locks them in.
   */
  async close(
    id: string,
    to: 'committed' | 'released',
    reason: string,
  ): Promise<ReservationStatus | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const closed = await trx
        .updateTable('reservations')
        .set({ status: to, closed_at: sql`now()`, reason })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .returning('id')
        .executeTakeFirst();
      if (!closed) {
        const existing = await trx
          .selectFrom('reservations')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirst();
        return existing?.status;
      }
      const lines = await trx
        .selectFrom('reservation_lines')
        .select(['sku', 'quantity'])
        .where('reservation_id', '=', id)
        .orderBy('sku')
        .execute();
      const rows: StockRow[] = [];
      for (const line of lines) rows.push(await this.applyClose(trx, id, line, to, reason));
      await writeEvents(trx, rows.map(changedEvent));
      return 'active';
    });
  }

  private async applyClose(
    trx: Trx,
    id: string,
    line: ReservationLine,
    to: 'committed' | 'released',
    reason: string,
  ): Promise<StockRow> {
    const onHandDelta = to === 'committed' ? -line.quantity : 0;
    const row = await trx
      .updateTable('stock')
      .set({
        on_hand: sql`on_hand + ${onHandDelta}`,
        reserved: sql`reserved - ${line.quantity}`,
        updated_at: sql`now()`,
      })
      .where('sku', '=', line.sku)
      .returning(['sku', 'seller_id', 'on_hand', 'reserved'])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('movements')
      .values({
        sku: line.sku,
        kind: to === 'committed' ? 'commit' : 'release',
        on_hand_delta: onHandDelta,
        reserved_delta: -line.quantity,
        reservation_id: id,
        reason,
      })
      .execute();
    return row;
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
