// Which events lead to which notices, as one table: a new event (a shipment, a return) is one entry here
// and one template in templates.ts.
import type { Static, TSchema } from 'typebox';
import type { DomainEvent, EventDefinition } from '@emporium/platform';
import { OrderPaid, OrderStatusChanged } from '@emporium/orders';
import { PaymentUpdated } from '@emporium/payments';
import type { NoticeIntent, NoticeKind } from './types.ts';

export interface NoticeRule<S extends TSchema = TSchema> {
  /** Names the durable consumer; keep it stable, a renamed consumer would see every event again. */
  readonly name: string;
  readonly event: EventDefinition<S>;
  /** The notices one event asks for; none when it is not one to tell anyone about. */
  notices(event: DomainEvent<Static<S>>): NoticeIntent[];
}

const rule = <S extends TSchema>(r: NoticeRule<S>): NoticeRule => r as unknown as NoticeRule;

/**
 * Order statuses the customer hears about. `paid` is absent: the confirmation follows `orders.order.paid`,
 * published once the stock is committed, so a paid order refunded at once (reservation expired) sends
 * no confirmation. `refunded` is absent: the refund notice follows the payment, which carries the amount.
 */
export const CUSTOMER_STATUS_NOTICES: Readonly<Record<string, NoticeKind>> = {
  shipped: 'order_shipped',
  partially_shipped: 'order_partially_shipped',
  delivered: 'order_delivered',
  return_requested: 'return_requested',
  returned: 'return_received',
};

export const NOTICE_RULES: readonly NoticeRule[] = [
  rule({
    name: 'order-paid',
    event: OrderPaid,
    notices: ({ data }) => [
      {
        recipientId: data.customerId,
        audience: 'customer',
        kind: 'order_confirmed',
        orderId: data.orderId,
        details: {},
      },
      // One notice per seller, about that seller's own lines only (the template filters by recipient).
      ...data.fulfilments.map((f): NoticeIntent => ({
        recipientId: f.sellerId,
        audience: 'seller',
        kind: 'seller_new_order',
        orderId: data.orderId,
        details: {},
      })),
    ],
  }),
  rule({
    name: 'order-status',
    event: OrderStatusChanged,
    notices: ({ data }) => {
      const kind = CUSTOMER_STATUS_NOTICES[data.status];
      return kind
        ? [{ recipientId: data.customerId, audience: 'customer', kind, orderId: data.orderId, details: {} }]
        : [];
    },
  }),
  rule({
    name: 'payment-refunded',
    event: PaymentUpdated,
    notices: ({ data }) =>
      data.status === 'refunded'
        ? [
            {
              recipientId: data.customerId,
              audience: 'customer',
              kind: 'refund_issued',
              orderId: data.orderId,
              details: { refunded: { amount: data.refundedAmount, currency: data.amount.currency } },
            },
          ]
        : [],
  }),
];
