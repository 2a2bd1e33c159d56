// Builders for the analytics suites: the domain events the export reads, with personal data in them.
import { newId, type DomainEvent } from '@emporium/platform';
import { OrderPaid, OrderStatusChanged } from '@emporium/orders';
import { PaymentUpdated } from '@emporium/payments';
import { BehaviourRecorded } from '@emporium/recommendations';

export const CUSTOMER_NAME = 'Ada Lovelace';
export const STREET = '12 St James Square';

export function orderEvents(customerId = newId()): DomainEvent[] {
  const orderId = newId();
  const total = { amount: 4200, currency: 'EUR' };
  return [
    OrderPaid.create(orderId, {
      orderId,
      customerId,
      total,
      fulfilments: [{ id: newId(), sellerId: newId(), lines: [{ sku: 'LAMP-1', quantity: 2 }] }],
      shippingAddress: {
        name: CUSTOMER_NAME,
        line1: STREET,
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
    }),
    OrderStatusChanged.create(orderId, { orderId, customerId, status: 'shipped' }),
    PaymentUpdated.create(orderId, {
      id: newId(),
      orderId,
      customerId,
      amount: total,
      status: 'captured',
      capturedAmount: 4200,
      refundedAmount: 0,
    }),
  ];
}

export const behaviourEvent = (kind: 'view' | 'click' | 'add_to_cart' | 'search', userId?: string) =>
  BehaviourRecorded.create('p', {
    kind,
    sessionId: `session-${newId()}`,
    ...(userId ? { userId } : {}),
    ...(kind === 'search' ? { query: 'brass lamp' } : { productId: newId() }),
  });
