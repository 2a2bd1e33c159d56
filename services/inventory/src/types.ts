import { Type, type Static } from 'typebox';
import { defineEvent } from '@emporium/platform';
import type { DomainEvent, Role } from '@emporium/platform';

export interface StockLevel {
  sku: string;
  sellerId: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface Availability {
  available: number;
  inStock: boolean;
}

export interface ReservationLine {
  sku: string;
  quantity: number;
}

/** `restocked`: committed, then its units went back on the shelf (a paid order cancelled). */
export type ReservationStatus = 'active' | 'committed' | 'released' | 'restocked';

export interface Reservation {
  id: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  expiresAt: string;
}

export interface ReserveRequest {
  reservationId: string;
  lines: ReservationLine[];
  /** Default 15 minutes. */
  ttlSeconds?: number;
}

export interface Actor {
  id: string;
  role: Role;
}

/** The inventory service's domain API; in-process or over HTTP, callers cannot tell. */
export interface InventoryApi {
  /** Idempotent; a sku belongs to one seller forever (Conflict otherwise). */
  registerSkus(items: { sku: string; sellerId: string }[]): Promise<void>;
  /** The seller of the sku or an admin; Forbidden or NotFound otherwise. */
  setStock(actor: Actor, sku: string, onHand: number): Promise<StockLevel>;
  getAvailability(skus: string[]): Promise<Record<string, Availability>>;
  /** Idempotent per reservationId; all-or-nothing; Conflict with details {skus} when short. */
  reserve(request: ReserveRequest): Promise<Reservation>;
  /** Idempotent. */
  commit(reservationId: string): Promise<void>;
  /** Idempotent; a committed reservation is left as it is. */
  release(reservationId: string, reason: string): Promise<void>;
  /**
   * Puts a committed reservation's units back on hand (a paid order cancelled). Idempotent; a
   * reservation never committed needs no restock (no-op); NotFound for an unknown id.
   */
  restock(reservationId: string, reason: string): Promise<void>;
  /**
   * Registers the request's skus for its seller and sets their on-hand stock, at most once per event id
   * (the catalog calls it at once after its commit, and the event reaches it again through the bus). A
   * line is skipped when a newer request already set its sku, and refused (not thrown) when it cannot
   * apply: retrying would not change the answer.
   */
  applyStockRequest(event: DomainEvent<StockRequest>): Promise<StockRequestOutcome>;
}

export interface StockRequestOutcome {
  /** False when this event id had been applied already. */
  applied: boolean;
  refused: { sku: string; reason: string }[];
}

/** Published with every change of a SKU's stock (on hand or reserved). */
export const StockChanged = defineEvent(
  'inventory.stock.changed',
  Type.Object({
    sku: Type.String(),
    available: Type.Integer(),
    inStock: Type.Boolean(),
    onHand: Type.Integer(),
    reserved: Type.Integer(),
  }),
);
export type StockChangedEvent = Static<typeof StockChanged.schema>;
export const STOCK_CHANGED = StockChanged.type;

/**
 * The stock a catalog write gives one product's skus, written to the catalog's outbox in the product's
 * transaction (ADR 0607). Declared here, not in the catalog, because inventory is the one that consumes
 * it and cannot import the catalog (the catalog requires inventory).
 */
export const StockRequested = defineEvent(
  'catalog.stock.requested',
  Type.Object({
    /** Who wrote the product: the seller, or an admin acting for it. */
    actor: Type.Object({
      id: Type.String(),
      role: Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin')]),
    }),
    sellerId: Type.String(),
    /** When the catalog wrote it; orders the requests of one sku. */
    requestedAt: Type.String(),
    lines: Type.Array(
      Type.Object({ sku: Type.String(), onHand: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }),
      { minItems: 1, maxItems: 1000 },
    ),
  }),
);
export type StockRequest = Static<typeof StockRequested.schema>;
