import { Type, type Static } from 'typebox';
import {
  defineEvent,
  MoneySchema,
  PostalAddressSchema,
  type Money,
  type PostalAddress,
} from '@emporium/platform';

export type { Money };

export type OrderStatus =
  | 'pending_payment'
  | 'paid'
  | 'fulfilling'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'payment_failed'
  | 'refunded'
  /** Cancelled after payment, but the gateway refused the refund for good: a person must settle it. */
  | 'refund_failed';

/** Where checkout stands; 'done' when nothing is left to drive. */
export type SagaStep =
  | 'reserve'
  | 'authorize'
  | 'capture'
  | 'commit'
  | 'fulfil'
  | 'clear_cart'
  | 'release'
  | 'void'
  | 'refund'
  | 'restock'
  | 'done';

export type Address = PostalAddress;

export interface OrderLine {
  sku: string;
  productId: string;
  sellerId: string;
  title: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Fulfilment {
  id: string;
  sellerId: string;
  status: string;
  skus: string[];
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  total: Money;
  lines: OrderLine[];
  shippingAddress: Address;
  /** The e-mail a guest checked out with (absent for a customer's own checkout). */
  email?: string;
  fulfilments: Fulfilment[];
  history: { status: string; note?: string; at: string }[];
  createdAt: string;
}

export interface OrdersApi {
  getOrder(id: string): Promise<Order | undefined>;
}

/** A checkout completed: the card is captured and the stock committed; one fulfilment per seller. */
export const OrderPaid = defineEvent(
  'orders.order.paid',
  Type.Object({
    orderId: Type.String(),
    customerId: Type.String(),
    total: MoneySchema,
    fulfilments: Type.Array(
      Type.Object({
        id: Type.String(),
        sellerId: Type.String(),
        lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
      }),
    ),
    shippingAddress: PostalAddressSchema,
  }),
);
export type OrderPaidEvent = Static<typeof OrderPaid.schema>;
export const ORDER_PAID = OrderPaid.type;

export const OrderStatusChanged = defineEvent(
  'orders.order.status_changed',
  Type.Object({ orderId: Type.String(), customerId: Type.String(), status: Type.String() }),
);
export const ORDER_STATUS_CHANGED = OrderStatusChanged.type;
