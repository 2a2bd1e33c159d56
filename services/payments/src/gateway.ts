import { AppError } from '@emporium/platform';
import type { Money } from './types.ts';

export type GatewayAuthorizationStatus = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

export interface GatewayAuthorization {
  id: string;
  status: GatewayAuthorizationStatus;
  amount: number;
  currency: string;
  reference: string;
  declineCode?: string;
  capturedAmount: number;
  refundedAmount: number;
}

/**
 * What the platform needs from a card gateway. Every mutating call takes an idempotency key: a caller
 * that lost an answer repeats the call with the same key and gets the same outcome, never a second charge.
 * A real provider (Stripe, Adyen) is one more implementation of this interface.
 */
export interface PaymentGateway {
  authorize(
    request: { amount: Money; token: string; reference: string },
    key: string,
  ): Promise<GatewayAuthorization>;
  capture(authorizationId: string, key: string): Promise<GatewayAuthorization>;
  void(authorizationId: string, key: string): Promise<GatewayAuthorization>;
  refund(authorizationId: string, amount: number, key: string): Promise<void>;
  get(authorizationId: string): Promise<GatewayAuthorization>;
  findByReference(reference: string): Promise<GatewayAuthorization[]>;
}

/** The gateway refused an operation for the state of the payment (409 `invalid_state`). */
export class GatewayStateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

class RetryableError extends Error {}

export interface SandboxGatewayOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Extra attempts after a timeout, a network error or a 5xx, each with the same idempotency key. */
  retries: number;
  onRetry?: (operation: string, reason: string) => void;
}

/** HTTP adapter for sandboxes/payments (Stripe-like API, see its README). */
export class SandboxGateway implements PaymentGateway {
  constructor(private readonly options: SandboxGatewayOptions) {}

  authorize(request: { amount: Money; token: string; reference: string }, key: string) {
    const body = {
      amount: request.amount.amount,
      currency: request.amount.currency,
      token: request.token,
      reference: request.reference,
    };
    return this.send<GatewayAuthorization>('POST', '/v1/authorizations', body, key);
  }

  capture(authorizationId: string, key: string) {
    return this.send<GatewayAuthorization>(
      'POST',
      `/v1/authorizations/${encodeURIComponent(authorizationId)}/capture`,
      {},
      key,
    );
  }

  void(authorizationId: string, key: string) {
    return this.send<GatewayAuthorization>(
      'POST',
      `/v1/authorizations/${encodeURIComponent(authorizationId)}/void`,
      {},
      key,
    );
  }

  async refund(authorizationId: string, amount: number, key: string): Promise<void> {
    await this.send('POST', '/v1/refunds', { authorizationId, amount }, key);
  }

  get(authorizationId: string) {
    return this.send<GatewayAuthorization>(
      'GET',
      `/v1/authorizations/${encodeURIComponent(authorizationId)}`,
    );
  }

  async findByReference(reference: string): Promise<GatewayAuthorization[]> {
    const answer = await this.send<{ items: GatewayAuthorization[] }>(
      'GET',
      `/v1/authorizations?reference=${encodeURIComponent(reference)}`,
    );
    return answer.items;
  }

  private async send<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    let last = '';
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) {
        this.options.onRetry?.(`${method} ${path}`, last);
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      }
      try {
        return await this.once<T>(method, path, body, key);
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        last = error.message;
      }
    }
    throw new AppError('Unavailable', `The payment gateway did not answer (${last}); try again`);
  }

  private async once<T>(method: string, path: string, body: unknown, key: string | undefined): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.options.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new RetryableError((error as Error).message);
    }
    const payload = (await response.json().catch(() => ({}))) as T & { code?: string; detail?: string };
    if (response.ok) return payload;
    if (response.status >= 500) throw new RetryableError(`gateway answered ${response.status}`);
    if (response.status === 409)
      throw new GatewayStateError(payload.code ?? 'invalid_state', payload.detail ?? '');
    if (response.status === 404)
      throw new AppError('NotFound', payload.detail ?? 'payment not found at the gateway');
    if (payload.code === 'unknown_token')
      throw new AppError('Validation', 'The payment token is not a valid card token', {
        fields: [{ field: 'paymentToken', message: 'unknown token' }],
      });
    // 401/403: our credentials are wrong. A misconfiguration an operator fixes, so worth retrying.
    if (response.status === 401 || response.status === 403)
      throw new AppError('Unavailable', `payment gateway refused our credentials (${response.status})`);
    // 400/422: this request is wrong (an amount over the gateway's limit, say). Repeating the same body
    // under the same idempotency key gets the same answer, so it is final, never retried.
    throw new AppError(
      'Validation',
      `The payment gateway refused the request (${payload.code ?? response.status}): ${payload.detail ?? ''}`.trim(),
      { fields: [{ field: 'payment', message: payload.code ?? `gateway answered ${response.status}` }] },
    );
  }
}
