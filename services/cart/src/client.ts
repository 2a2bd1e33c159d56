import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { CartApi, CartView } from './types.ts';

export class CartHttpClient implements CartApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'cart', options);
  }

  getCustomerCart(customerId: string): Promise<CartView> {
    return this.http.call('GET', `/customers/${encodeURIComponent(customerId)}`);
  }
  markCheckedOut(
    customerId: string,
    orderId: string,
    lines: { sku: string; quantity: number }[],
  ): Promise<void> {
    return this.http.call(
      'POST',
      `/customers/${encodeURIComponent(customerId)}/checked-out`,
      { orderId, lines },
      { idempotent: true },
    );
  }
  getGuestCart(cartId: string): Promise<CartView> {
    return this.http.call('GET', `/guests/${encodeURIComponent(cartId)}`);
  }
  markGuestCheckedOut(
    cartId: string,
    orderId: string,
    lines: { sku: string; quantity: number }[],
  ): Promise<void> {
    return this.http.call(
      'POST',
      `/guests/${encodeURIComponent(cartId)}/checked-out`,
      { orderId, lines },
      { idempotent: true },
    );
  }
}
