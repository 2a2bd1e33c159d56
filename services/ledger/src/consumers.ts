import type { Logger } from 'pino';
import type { Static } from 'typebox';
import {
  handleOnce,
  subscribeTo,
  type DomainEvent,
  type EventBus,
  type Subscription,
} from '@emporium/platform';
import { OrderPaid } from '@emporium/orders';
import { PaymentUpdated, type PaymentUpdatedEvent } from '@emporium/payments';
import type { CommissionRules } from './commission.ts';
import type { LedgerDeps } from './deps.ts';
import type { Ledger } from './ledger.ts';
import { categoryPaths, saleOf } from './sales.ts';

/**
 * The event that makes a sale: a paid order today. If capture moves (to shipment, say), this line names
 * the capture event instead, and `orderIdOfSale` reads its order id; nothing else changes (ADR 1011).
 */
export const SALE_TRIGGER = OrderPaid;
const orderIdOfSale = (data: SaleEventData) => data.orderId;
type SaleEventData = Static<typeof SALE_TRIGGER.schema>;

export const SALES_CONSUMER = 'ledger-sales';
export const REFUNDS_CONSUMER = 'ledger-refunds';

export interface LedgerConsumers {
  ledger: Ledger;
  rules: CommissionRules;
  deps: LedgerDeps;
}

/**
 * Posts each paid order's sales and commissions. The order and its products are read first (the event
 * carries neither prices nor categories); the postings and the event's processed marker then commit in
 * one transaction, so a crash before the commit posts nothing and the redelivery posts it all, once.
 */
export async function postSale({ ledger, rules, deps }: LedgerConsumers, event: DomainEvent<SaleEventData>) {
  const orderId = orderIdOfSale(event.data);
  const order = await deps.orders.getOrder(orderId);
  // Thrown, so the event comes again: the orders service published it, so it must know the order.
  if (!order) throw new Error(`order ${orderId} of a sale event is unknown to the orders service`);
  const products = await deps.catalog.getProducts([...new Set(order.lines.map((l) => l.productId))]);
  const paths = categoryPaths(order, products);
  const db = ledger.store.db;
  return handleOnce(db, SALES_CONSUMER, event, async (trx) => {
    const rates = await rules.ratesFor(trx, [...paths.values()]);
    await ledger.recordSale(trx, saleOf(order, paths, rates));
  });
}

/** A refund reported by payments reverses each seller's sale and commission in proportion. */
export async function postRefund(
  { ledger }: Pick<LedgerConsumers, 'ledger'>,
  event: DomainEvent<PaymentUpdatedEvent>,
) {
  const { orderId, status, refundedAmount, capturedAmount } = event.data;
  if (status !== 'refunded' || refundedAmount <= 0) return false;
  return handleOnce(ledger.store.db, REFUNDS_CONSUMER, event, (trx) =>
    ledger.recordRefund(trx, orderId, refundedAmount, capturedAmount),
  );
}

export async function subscribeLedger(bus: EventBus, consumers: LedgerConsumers, logger: Logger) {
  const subscriptions: Subscription[] = [
    await subscribeTo(
      bus,
      SALES_CONSUMER,
      SALE_TRIGGER,
      (event) => postSale(consumers, event).then(() => undefined),
      logger,
    ),
    await subscribeTo(
      bus,
      REFUNDS_CONSUMER,
      PaymentUpdated,
      (event) => postRefund(consumers, event).then(() => undefined),
      logger,
    ),
  ];
  return { stop: () => Promise.all(subscriptions.map((s) => s.stop())).then(() => undefined) };
}
