import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { Order, OrdersApi } from './types.ts';

export class OrdersHttpClient implements OrdersApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'orders', options);
  }

  async getOrder(id: string): Promise<Order | undefined> {
    return (await this.http.call<{ order?: Order }>('GET', `/orders/${encodeURIComponent(id)}`)).order;
  }
}
