import type { Role } from '@emporium/platform';

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
}

export const STOCK_CHANGED = 'inventory.stock.changed';

export interface StockChangedEvent {
  sku: string;
  available: number;
  inStock: boolean;
  onHand: number;
  reserved: number;
}
