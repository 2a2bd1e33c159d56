import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { RatingSummary, ReviewsApi, SellerRatingSummary } from './types.ts';

/** ReviewsApi over HTTP; both calls are reads. */
export class ReviewsHttpClient implements ReviewsApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'reviews', options);
  }

  productRating(productId: string): Promise<RatingSummary> {
    return this.http.call('GET', `/products/${encodeURIComponent(productId)}/rating`, undefined, {
      idempotent: true,
    });
  }

  sellerRating(sellerId: string): Promise<SellerRatingSummary> {
    return this.http.call('GET', `/sellers/${encodeURIComponent(sellerId)}/rating`, undefined, {
      idempotent: true,
    });
  }
}
