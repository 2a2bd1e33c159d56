import {
  internalClient,
  type DomainEvent,
  type ServiceClientOptions,
  type ServiceHttpClient,
} from '@emporium/platform';
import type {
  Actor,
  Availability,
  InventoryApi,
  Reservation,
  ReserveRequest,
  StockLevel,
  StockRequest,
  StockRequestOutcome,
} from './types.ts';

/** InventoryApi over HTTP. Every call is idempotent by contract (reserve per reservationId), so all retry. */
export class InventoryHttpClient implements InventoryApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'inventory', options);
  }

  registerSkus(items: { sku: string; sellerId: string }[]): Promise<void> {
    return this.http.call('POST', '/skus', { items }, { idempotent: true });
  }
  setStock(actor: Actor, sku: string, onHand: number): Promise<StockLevel> {
    return this.http.call('PUT', `/stock/${encodeURIComponent(sku)}`, { onHand }, { actor });
  }
  getAvailability(skus: string[]): Promise<Record<string, Availability>> {
    return this.http.call('POST', '/availability', { skus }, { idempotent: true });
  }
  reserve(request: ReserveRequest): Promise<Reservation> {
    return this.http.call('POST', '/reservations', request, { idempotent: true });
  }
  commit(reservationId: string): Promise<void> {
    return this.http.call('POST', `/reservations/${encodeURIComponent(reservationId)}/commit`, undefined, {
      idempotent: true,
    });
  }
  release(reservationId: string, reason: string): Promise<void> {
    return this.http.call(
      'POST',
      `/reservations/${encodeURIComponent(reservationId)}/release`,
      { reason },
      {
        idempotent: true,
      },
    );
  }
  restock(reservationId: string, reason: string): Promise<void> {
    return this.http.call(
      'POST',
      `/reservations/${encodeURIComponent(reservationId)}/restock`,
      { reason },
      { idempotent: true },
    );
  }
  applyStockRequest(event: DomainEvent<StockRequest>): Promise<StockRequestOutcome> {
    return this.http.call('POST', '/stock-requests', event, { actor: event.data.actor, idempotent: true });
  }
}
