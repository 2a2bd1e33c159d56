import { ServiceHttpClient } from '@emporium/platform';
import type { Order, OrdersApi } from './types.ts';

export class OrdersHttpClient implements OrdersApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: { timeoutMs?: number } = {}) {
    this.http = new ServiceHttpClient({ baseUrl: `${baseUrl}/internal/orders`, ...options });
  }

  async getOrder(id: string): Promise<Order | undefined> {
    return (await this.http.call<{ order?: Order }>('GET', `/orders/${encodeURIComponent(id)}`)).order;
  }
}
