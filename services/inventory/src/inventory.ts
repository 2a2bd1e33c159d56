import type { Logger } from 'pino';
import {
  conflict,
  forbidden,
  handleOnce,
  notFound,
  validation,
  type DomainEvent,
  type OutboxRelay,
} from '@emporium/platform';
import { Batcher } from './batcher.ts';
import type { InventoryStore } from './store.ts';
import {
  toLevel,
  type BatchRequest,
  type BatchResult,
  type CloseRequest,
  type CloseResult,
} from './store.ts';
import type {
  Actor,
  Availability,
  InventoryApi,
  Reservation,
  ReservationLine,
  ReserveRequest,
  StockLevel,
  StockRequest,
  StockRequestOutcome,
} from './types.ts';

export const DEFAULT_TTL_SECONDS = 15 * 60;
export const MAX_QUANTITY = 10_000;
export const MAX_ON_HAND = 1_000_000_000;
const MAX_LINES = 100;
/**
 * The processed-event marker of catalog stock requests, shared by the catalog's direct call and the bus
 * consumer of the same name, so whichever comes second is dropped.
 */
export const STOCK_REQUEST_CONSUMER = 'inventory-catalog-stock';
const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,99}$/;

export interface InventoryOptions {
  /** 'batched' (default) groups concurrent reservations into one statement; 'single' sends each alone. */
  reserveStrategy?: 'batched' | 'single';
  maxBatch?: number;
}

export function checkSku(sku: string, field = 'sku'): void {
  if (!SKU_PATTERN.test(sku))
    throw validation(`"${sku}" is not a valid SKU`, [{ field, message: 'invalid SKU' }]);
}

function normaliseLines(lines: ReservationLine[]): ReservationLine[] {
  if (lines.length === 0 || lines.length > MAX_LINES)
    throw validation(`a reservation has 1 to ${MAX_LINES} lines`, [{ field: 'lines', message: 'count' }]);
  const merged = new Map<string, number>();
  lines.forEach((line, i) => {
    checkSku(line.sku, `lines[${i}].sku`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
      throw validation(`quantity must be an integer from 1 to ${MAX_QUANTITY}`, [
        { field: `lines[${i}].quantity`, message: 'out of range' },
      ]);
    merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  });
  return [...merged].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => (a.sku < b.sku ? -1 : 1));
}

export class Inventory implements InventoryApi {
  private readonly batcher: Batcher<BatchRequest, BatchResult>;
  private readonly closer: Batcher<CloseRequest, CloseResult>;
  private readonly batched: boolean;

  constructor(
    readonly store: InventoryStore,
    private readonly relay: Pick<OutboxRelay, 'notify'>,
    private readonly logger: Logger,
    options: InventoryOptions = {},
  ) {
    // 'single' sends every request as its own statement, concurrently (the comparison in ADR 0700).
    this.batched = options.reserveStrategy !== 'single';
    const max = options.maxBatch ?? 256;
    this.batcher = new Batcher((requests) => this.store.reserveBatch(requests), max);
    // Commits, releases and restocks are group-committed too: they lock the same hot rows (ADR 0704).
    this.closer = new Batcher((requests) => this.store.closeBatch(requests), max);
  }

  async registerSkus(items: { sku: string; sellerId: string }[]): Promise<void> {
    if (items.length === 0) return;
    items.forEach((i, n) => checkSku(i.sku, `items[${n}].sku`));
    const rows = await this.store.insertSkus(items);
    const owner = new Map(items.map((i) => [i.sku, i.sellerId]));
    const taken = rows.filter((r) => owner.get(r.sku) !== r.seller_id).map((r) => r.sku);
    if (taken.length > 0) throw conflict('SKUs already belong to another seller', { skus: taken });
  }

  async setStock(actor: Actor, sku: string, onHand: number): Promise<StockLevel> {
    checkSku(sku);
    if (!Number.isInteger(onHand) || onHand < 0 || onHand > MAX_ON_HAND)
      throw validation('onHand must be a non-negative integer', [
        { field: 'onHand', message: 'out of range' },
      ]);
    const row = await this.store.setOnHand(sku, (current) => {
      if (!current) throw notFound(`SKU ${sku}`);
      if (actor.role !== 'admin' && current.seller_id !== actor.id) throw forbidden('This SKU is not yours');
      if (onHand < current.reserved)
        throw conflict(
          `${current.reserved} units of ${sku} are reserved by open orders; onHand cannot go below`,
          {
            skus: [sku],
            reserved: current.reserved,
          },
        );
      return onHand;
    });
    if (row.delta !== 0) this.relay.notify();
    return toLevel(row);
  }

  async applyStockRequest(event: DomainEvent<StockRequest>): Promise<StockRequestOutcome> {
    event.data.lines.forEach((l, n) => checkSku(l.sku, `lines[${n}].sku`));
    let outcome = { refused: [] as StockRequestOutcome['refused'], changed: 0 };
    const applied = await handleOnce(this.store.db, STOCK_REQUEST_CONSUMER, event, async (trx) => {
      outcome = await this.store.applyStockRequest(trx, event.id, event.data);
    });
    if (outcome.changed > 0) this.relay.notify();
    if (outcome.refused.length > 0)
      this.logger.warn({ eventId: event.id, refused: outcome.refused }, 'catalog stock lines refused');
    return { applied, refused: outcome.refused };
  }

  async getAvailability(skus: string[]): Promise<Record<string, Availability>> {
    const unique = [...new Set(skus)];
    const rows = await this.store.levels(unique);
    const result: Record<string, Availability> = {};
    for (const sku of unique) result[sku] = { available: 0, inStock: false };
    for (const r of rows)
      result[r.sku] = { available: r.on_hand - r.reserved, inStock: r.on_hand > r.reserved };
    return result;
  }

  async getStock(skus: string[]): Promise<StockLevel[]> {
    return (await this.store.levels(skus)).map(toLevel);
  }

  async reserve(request: ReserveRequest): Promise<Reservation> {
    if (!request.reservationId || request.reservationId.length > 100)
      throw validation('reservationId is required', [{ field: 'reservationId', message: 'required' }]);
    const lines = normaliseLines(request.lines);
    const ttl = request.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 86_400)
      throw validation('ttlSeconds must be 1 s to 7 days', [
        { field: 'ttlSeconds', message: 'out of range' },
      ]);
    const batch = { id: request.reservationId, ttl, lines };
    const result = this.batched
      ? await this.batcher.submit(batch)
      : ((await this.store.reserveBatch([batch]))[0] as BatchResult);
    if (!result.ok) throw conflict(`Not enough stock for ${result.short.join(', ')}`, { skus: result.short });
    if (!result.existing) this.relay.notify();
    // A repeated reserve answers with the reservation as stored (its lines may differ from this request).
    const stored = result.existing ? await this.store.reservationLines(request.reservationId) : lines;
    return {
      id: request.reservationId,
      status: result.status,
      lines: stored,
      expiresAt: new Date(result.expiresAt).toISOString(),
    };
  }

  private async close(request: CloseRequest): Promise<CloseResult['before']> {
    const { before } = this.batched
      ? await this.closer.submit(request)
      : ((await this.store.closeBatch([request]))[0] as CloseResult);
    return before;
  }

  async commit(reservationId: string): Promise<void> {
    const before = await this.close({ id: reservationId, to: 'committed', reason: 'paid' });
    if (before === 'missing') throw notFound(`reservation ${reservationId}`);
    if (before === 'released')
      throw conflict(`reservation ${reservationId} was released before it could be committed`, {
        reservationId,
      });
    if (before === 'active') this.relay.notify();
  }

  async release(reservationId: string, reason: string): Promise<void> {
    const before = await this.close({ id: reservationId, to: 'released', reason });
    if (before === 'active') this.relay.notify();
  }

  async restock(reservationId: string, reason: string): Promise<void> {
    const before = await this.close({ id: reservationId, to: 'restocked', reason });
    if (before === 'missing') throw notFound(`reservation ${reservationId}`);
    if (before === 'committed') this.relay.notify();
  }

  /** Releases reservations whose TTL passed; safe with several processes (the status guard decides). */
  async sweep(limit = 500): Promise<number> {
    const ids = await this.store.expiredReservations(limit);
    if (ids.length === 0) return 0;
    const results = await this.store.closeBatch(ids.map((id) => ({ id, to: 'released', reason: 'expired' })));
    const released = results.filter((r) => r.before === 'active').length;
    if (released > 0) {
      this.logger.info({ released }, 'released expired reservations');
      this.relay.notify();
    }
    return released;
  }
}
