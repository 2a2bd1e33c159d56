// Builders for the notifications suites: an order as the orders service answers it, the events that
// follow one, and in-memory stand-ins for the users and orders APIs the service reads.
import { newId, type DomainEvent } from '@emporium/platform';
import { OrderPaid, OrderStatusChanged, type Order } from '@emporium/orders';
import { PaymentUpdated } from '@emporium/payments';
import type { UserContact } from '@emporium/users';
import type { DeliveryDeps } from './delivery.ts';

export function anOrder(customerId: string, sellers: { id: string; titles: string[] }[]): Order {
  const lines = sellers.flatMap((s) =>
    s.titles.map((title, i) => ({
      sku: `SKU-${s.id.slice(0, 4)}-${i}`,
      productId: newId(),
      sellerId: s.id,
      title,
      quantity: 1 + i,
      unitPrice: { amount: 1250, currency: 'USD' },
      lineTotal: { amount: 1250 * (1 + i), currency: 'USD' },
    })),
  );
  return {
    id: newId(),
    customerId,
    status: 'paid',
    total: { amount: lines.reduce((n, l) => n + l.lineTotal.amount, 0), currency: 'USD' },
    lines,
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '12 St James Sq',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
    fulfilments: [],
    history: [],
    createdAt: new Date().toISOString(),
  };
}

export const paidEvent = (order: Order): DomainEvent =>
  OrderPaid.create(order.id, {
    orderId: order.id,
    customerId: order.customerId,
    total: order.total,
    fulfilments: [...new Set(order.lines.map((l) => l.sellerId))].map((sellerId) => ({
      id: newId(),
      sellerId,
      lines: order.lines
        .filter((l) => l.sellerId === sellerId)
        .map((l) => ({ sku: l.sku, quantity: l.quantity })),
    })),
    shippingAddress: order.shippingAddress,
  });

export const statusEvent = (order: Order, status: string): DomainEvent =>
  OrderStatusChanged.create(order.id, { orderId: order.id, customerId: order.customerId, status });

export const refundEvent = (order: Order, refunded: number): DomainEvent =>
  PaymentUpdated.create(order.id, {
    id: newId(),
    orderId: order.id,
    customerId: order.customerId,
    amount: order.total,
    status: 'refunded',
    capturedAmount: order.total.amount,
    refundedAmount: refunded,
  });

/** The users and orders a suite knows; `down` makes both answer like a service that is unreachable. */
export function directory() {
  const contacts = new Map<string, UserContact>();
  const orders = new Map<string, Order>();
  const state = { down: false };
  const deps: DeliveryDeps = {
    users: {
      getContacts: async (ids) => {
        if (state.down) throw new Error('users unreachable');
        return ids.flatMap((id) => (contacts.has(id) ? [contacts.get(id)!] : []));
      },
    },
    orders: {
      getOrder: async (id) => {
        if (state.down) throw new Error('orders unreachable');
        return orders.get(id);
      },
    },
  };
  const person = (name: string): UserContact => {
    const contact: UserContact = {
      id: newId(),
      name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
      status: 'active',
    };
    contacts.set(contact.id, contact);
    return contact;
  };
  return { deps, state, person, addOrder: (o: Order) => void orders.set(o.id, o) };
}
