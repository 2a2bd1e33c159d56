import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { CatalogApi, ProductDocument, ProductSummary, VariantSummary } from './types.ts';

/** The CatalogApi over HTTP, for processes where the catalog runs elsewhere. All calls are reads. */
export class CatalogHttpClient implements CatalogApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'catalog', options);
  }

  getVariants(skus: string[]): Promise<VariantSummary[]> {
    return this.http.call('POST', '/variants', { skus }, { idempotent: true });
  }

  getProducts(ids: string[]): Promise<ProductSummary[]> {
    return this.http.call('POST', '/products', { ids }, { idempotent: true });
  }

  listAllProducts(
    cursor?: string,
    limit?: number,
  ): Promise<{ items: ProductDocument[]; nextCursor?: string }> {
    return this.http.call('GET', '/documents', undefined, { query: { cursor, limit } });
  }
}
