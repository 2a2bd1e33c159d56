import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { AuthorizeRequest, PaymentIntent, PaymentsApi } from './types.ts';

/** PaymentsApi over HTTP; every call is idempotent per order, so every call may be retried. */
export class PaymentsHttpClient implements PaymentsApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    // Gateway retries happen inside the payments service; give it room for them.
    this.http = internalClient(baseUrl, 'payments', { timeoutMs: 20_000, ...options });
  }

  authorize(request: AuthorizeRequest): Promise<PaymentIntent> {
    return this.http.call('POST', '/authorize', request, { idempotent: true });
  }
  capture(orderId: string): Promise<PaymentIntent> {
    return this.http.call('POST', `/orders/${encodeURIComponent(orderId)}/capture`, {}, { idempotent: true });
  }
  async cancel(orderId: string): Promise<PaymentIntent | undefined> {
    const answer = await this.http.call<{ intent?: PaymentIntent }>(
      'POST',
      `/orders/${encodeURIComponent(orderId)}/cancel`,
      {},
      { idempotent: true },
    );
    return answer.intent;
  }
  refund(orderId: string): Promise<PaymentIntent> {
    return this.http.call('POST', `/orders/${encodeURIComponent(orderId)}/refund`, {}, { idempotent: true });
  }
  async getIntent(orderId: string): Promise<PaymentIntent | undefined> {
    const answer = await this.http.call<{ intent?: PaymentIntent }>(
      'GET',
      `/orders/${encodeURIComponent(orderId)}`,
    );
    return answer.intent;
  }
}
