export interface Money {
  amount: number;
  currency: string;
}

export type OrderStatus =
  | 'pending_payment'
  | 'paid'
  | 'fulfilling'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'payment_failed'
  | 'refunded';

/** Where checkout stands; 'done' when nothing is left to drive. */
export type SagaStep =
  | 'reserve'
  | 'authorize'
  | 'capture'
  | 'commit'
  | 'fulfil'
  | 'release'
  | 'void'
  | 'refund'
  | 'restock'
  | 'done';

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

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
  fulfilments: Fulfilment[];
  history: { status: string; note?: string; at: string }[];
  createdAt: string;
}

export interface OrdersApi {
  getOrder(id: string): Promise<Order | undefined>;
}

export const ORDER_PAID = 'orders.order.paid';
export const ORDER_STATUS_CHANGED = 'orders.order.status_changed';
export interface OrderPaidEvent {
  orderId: string;
  customerId: string;
  total: Money;
  fulfilments: { id: string; sellerId: string; lines: { sku: string; quantity: number }[] }[];
  shippingAddress: Address;
}
