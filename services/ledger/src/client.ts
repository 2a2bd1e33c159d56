import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { LedgerApi, SellerBalance } from './types.ts';

export class LedgerHttpClient implements LedgerApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'ledger', options);
  }

  async balances(sellerId: string): Promise<SellerBalance[]> {
    const path = `/sellers/${encodeURIComponent(sellerId)}/balances`;
    return (await this.http.call<{ balances: SellerBalance[] }>('GET', path)).balances;
  }
}
