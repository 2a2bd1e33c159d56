export interface Money {
  /** Integer minor units. */
  amount: number;
  currency: string;
}

export type IntentStatus =
  'pending' | 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded' | 'failed';

export interface PaymentIntent {
  id: string;
  orderId: string;
  customerId: string;
  amount: Money;
  status: IntentStatus;
  declineCode?: string;
  authorizationId?: string;
  capturedAmount: number;
  refundedAmount: number;
}

export interface AuthorizeRequest {
  orderId: string;
  customerId: string;
  amount: Money;
  /** A gateway card token, e.g. `tok_visa`. */
  token: string;
}

/** The payments service's domain API. Every call is idempotent per order. */
export interface PaymentsApi {
  /** PaymentDeclined (402) with details {declineCode} when the card is declined. */
  authorize(request: AuthorizeRequest): Promise<PaymentIntent>;
  capture(orderId: string): Promise<PaymentIntent>;
  /** Voids an uncaptured authorisation (also one whose answer was lost); a no-op when nothing is held. */
  cancel(orderId: string): Promise<PaymentIntent | undefined>;
  /** Refunds what was captured and not yet refunded. */
  refund(orderId: string): Promise<PaymentIntent>;
  getIntent(orderId: string): Promise<PaymentIntent | undefined>;
}

export const PAYMENT_UPDATED = 'payments.intent.updated';
export type PaymentUpdatedEvent = PaymentIntent;
