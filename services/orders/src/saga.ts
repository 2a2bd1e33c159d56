import type { Logger } from 'pino';
import { createEvent, isAppError, type OutboxRelay } from '@emporium/platform';
import type { OrdersDeps, SagaHook } from './deps.ts';
import type { Failure, OrderRow, OrdersStore } from './store.ts';
import { ORDER_PAID, type OrderPaidEvent, type SagaStep } from './types.ts';

type Change = Parameters<OrdersStore['advance']>[1];
type Outcome = { change: Change; events?: ReturnType<typeof createEvent>[] };

const failureOf = (error: unknown): Failure => {
  if (!isAppError(error)) return { kind: 'Error', message: (error as Error).message };
  const details = error.details as { skus?: string[]; declineCode?: string };
  return {
    kind: error.kind,
    message: error.message,
    ...(details.skus ? { skus: details.skus } : {}),
    ...(details.declineCode ? { declineCode: details.declineCode } : {}),
  };
};
const isKind = (error: unknown, ...kinds: string[]) => isAppError(error) && kinds.includes(error.kind);

/**
 * Drives an order's checkout saga one persisted step at a time, under a lease. Every step is idempotent
 * (reservation id = order id, payment keys derived from the order), so a step interrupted by a crash is
 * simply run again by whoever takes the lease next (the request itself or the recovery loop).
 */
export class CheckoutSaga {
  constructor(
    private readonly store: OrdersStore,
    private readonly deps: OrdersDeps,
    private readonly relay: Pick<OutboxRelay, 'notify'>,
    private readonly logger: Logger,
    private readonly options: { leaseMs: number; retryDelayMs: number; hook?: SagaHook },
  ) {}

  /** Runs the saga until it is done or blocked by an outage; returns the order row as it stands. */
  async drive(id: string, holding = false): Promise<OrderRow | undefined> {
    let row = await this.store.claim(id, this.options.leaseMs, holding);
    if (!row) return this.store.row(id);
    while (row && row.saga_step !== 'done') {
      await this.options.hook?.(`before:${row.saga_step}`, id);
      let outcome: Outcome;
      try {
        outcome = await this.run(row);
      } catch (error) {
        // An outage (gateway or service down): keep the step, let the recovery loop retry after a pause.
        this.logger.warn(
          { err: error, orderId: id, step: row.saga_step },
          'checkout step failed; will retry',
        );
        await this.store.claim(id, this.options.retryDelayMs, true);
        return this.store.row(id);
      }
      await this.options.hook?.(`after:${row.saga_step}`, id);
      await this.store.advance(id, outcome.change, outcome.events);
      this.relay.notify();
      row = await this.store.claim(id, this.options.leaseMs, true);
    }
    await this.store.unlock(id);
    return this.store.row(id);
  }

  private async run(row: OrderRow): Promise<Outcome> {
    const step = row.saga_step as Exclude<SagaStep, 'done'>;
    switch (step) {
      case 'reserve':
        return this.reserve(row);
      case 'authorize':
        return this.authorize(row);
      case 'capture':
        return this.capture(row);
      case 'commit':
        return this.commit(row);
      case 'fulfil':
        return this.fulfil(row);
      case 'void':
        await this.deps.payments.cancel(row.id);
        return { change: { step: 'release' } };
      case 'release':
        await this.deps.inventory.release(
          row.id,
          row.status === 'payment_failed' ? 'payment failed' : 'order cancelled',
        );
        return { change: { step: 'done' } };
      case 'refund':
        await this.deps.payments.refund(row.id);
        return { change: { step: 'done', status: 'refunded', note: 'payment refunded' } };
    }
  }

  private async reserve(row: OrderRow): Promise<Outcome> {
    if (row.cancel_requested)
      return { change: { step: 'release', status: 'cancelled', note: 'cancelled by customer' } };
    const lines = await this.store.lines(row.id);
    try {
      await this.deps.inventory.reserve({
        reservationId: row.id,
        lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      });
    } catch (error) {
      if (!isKind(error, 'Conflict', 'Validation', 'NotFound')) throw error;
      return {
        change: { step: 'done', status: 'rejected', note: 'out of stock', failure: failureOf(error) },
      };
    }
    return { change: { step: 'authorize' } };
  }

  private async authorize(row: OrderRow): Promise<Outcome> {
    if (row.cancel_requested)
      return { change: { step: 'void', status: 'cancelled', note: 'cancelled by customer' } };
    try {
      await this.deps.payments.authorize({
        orderId: row.id,
        customerId: row.customer_id,
        amount: { amount: row.total_amount, currency: row.currency },
        token: row.payment_token,
      });
    } catch (error) {
      if (!isKind(error, 'PaymentDeclined', 'Validation', 'Conflict')) throw error;
      return {
        change: {
          step: 'release',
          status: 'payment_failed',
          note: 'payment declined',
          failure: failureOf(error),
        },
      };
    }
    return { change: { step: 'capture' } };
  }

  private async capture(row: OrderRow): Promise<Outcome> {
    try {
      await this.deps.payments.capture(row.id);
    } catch (error) {
      if (!isKind(error, 'Conflict', 'NotFound')) throw error;
      return {
        change: {
          step: 'void',
          status: 'payment_failed',
          note: 'capture refused',
          failure: failureOf(error),
        },
      };
    }
    return { change: { step: 'commit', status: 'paid', note: 'payment captured' } };
  }

  private async commit(row: OrderRow): Promise<Outcome> {
    try {
      await this.deps.inventory.commit(row.id);
    } catch (error) {
      if (!isKind(error, 'Conflict', 'NotFound')) throw error;
      // The reservation expired before payment completed: the units may be sold; give the money back.
      return {
        change: { step: 'refund', note: 'reservation expired before payment', failure: failureOf(error) },
      };
    }
    return { change: { step: 'fulfil' } };
  }

  private async fulfil(row: OrderRow): Promise<Outcome> {
    const lines = await this.store.lines(row.id);
    const sellers = [...new Set(lines.map((l) => l.seller_id))].sort();
    const fulfilments = await this.store.createFulfilments(row.id, sellers);
    try {
      await this.deps.cart.markCheckedOut(
        row.customer_id,
        row.id,
        lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      );
    } catch (error) {
      // The order is paid whatever happens to the cart; a stale cart line is harmless.
      this.logger.warn({ err: error, orderId: row.id }, 'could not remove ordered items from the cart');
    }
    const data: OrderPaidEvent = {
      orderId: row.id,
      customerId: row.customer_id,
      total: { amount: row.total_amount, currency: row.currency },
      fulfilments: fulfilments.map((f) => ({
        id: f.id,
        sellerId: f.sellerId,
        lines: lines
          .filter((l) => l.seller_id === f.sellerId)
          .map((l) => ({ sku: l.sku, quantity: l.quantity })),
      })),
      shippingAddress: JSON.parse(
        typeof row.shipping_address === 'string'
          ? row.shipping_address
          : JSON.stringify(row.shipping_address),
      ),
    };
    return { change: { step: 'done' }, events: [createEvent(ORDER_PAID, row.id, data)] };
  }
}
