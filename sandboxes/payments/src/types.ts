// The resources of the sandbox gateway. Amounts are integer minor units; currencies ISO 4217, upper case.

export type AuthorizationStatus = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

export type DeclineCode = 'card_declined' | 'insufficient_funds';

export interface Authorization {
  id: string;
  object: 'authorization';
  status: AuthorizationStatus;
  amount: number;
  currency: string;
  reference: string;
  token: string;
  declineCode?: DeclineCode;
  capturedAmount: number;
  refundedAmount: number;
  refunds: string[];
  /** Unix seconds, like every timestamp of the API. */
  created: number;
  capturedAt?: number;
  voidedAt?: number;
}

export interface Refund {
  id: string;
  object: 'refund';
  status: 'succeeded';
  authorizationId: string;
  amount: number;
  currency: string;
  created: number;
}

export type WebhookEventType =
  'payment.authorized' | 'payment.declined' | 'payment.captured' | 'payment.refunded' | 'payment.voided';

export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  created: number;
  data: { authorization: Authorization; refund?: Refund };
}

/** A failure as a value; only the HTTP layer turns `kind` into a status code. */
export interface GatewayError {
  kind: 'validation' | 'not_found' | 'conflict' | 'idempotency_mismatch' | 'server_error';
  /** Machine-readable, stable: clients branch on it. */
  code: string;
  detail: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: GatewayError };
