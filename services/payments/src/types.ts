import { Type, type Static } from 'typebox';
import { defineEvent, MoneySchema, type Money } from '@emporium/platform';

export type { Money };

const IntentStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('authorized'),
  Type.Literal('declined'),
  Type.Literal('captured'),
  Type.Literal('voided'),
  Type.Literal('refunded'),
  Type.Literal('failed'),
]);
export type IntentStatus = Static<typeof IntentStatusSchema>;

/** The payment of one order: the internal routes answer it, the `payments.intent.updated` event carries it. */
export const PaymentIntentSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  customerId: Type.String(),
  amount: MoneySchema,
  status: IntentStatusSchema,
  declineCode: Type.Optional(Type.String()),
  authorizationId: Type.Optional(Type.String()),
  capturedAmount: Type.Integer(),
  refundedAmount: Type.Integer(),
});
export type PaymentIntent = Static<typeof PaymentIntentSchema>;

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

export const PaymentUpdated = defineEvent('payments.intent.updated', PaymentIntentSchema);
export type PaymentUpdatedEvent = PaymentIntent;
export const PAYMENT_UPDATED = PaymentUpdated.type;
