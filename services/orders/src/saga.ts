import type { Logger } from 'pino';
import { isAppError, newId, type DomainEvent, type OutboxRelay } from '@emporium/platform';
import type { OrdersDeps, SagaHook } from './deps.ts';
import type { Change, Failure, LineRow, OrderRow, OrdersStore } from './store.ts';
import { OrderPaid, type OrderPaidEvent, type SagaStep } from './types.ts';

type Outcome = {
  change: Change;
  events?: DomainEvent[];
  fulfilments?: { id: string; sellerId: string }[];
};

/** What the caller already knows of the order: the checkout request inserted it and holds its lease. */
export interface DriveStart {
  row?: OrderRow;
  lines?: LineRow[];
  /** Take over a parked order now (a payment event arrived) instead of waiting for its next attempt. */
  wake?: boolean;
}

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
 * A payment call refused for what it asks (not for an outage) gets the same answer however often it is
 * repeated: the saga compensates instead of parking the order, which would hold its stock for ever.
 * Unavailable, TooManyRequests and credential errors stay retryable: an operator can fix those.
 */
const isFinal = (error: unknown) => isKind(error, 'Validation', 'Conflict', 'NotFound', 'PaymentDeclined');

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

  /**
   * Runs the saga until it is done or blocked by an outage; returns the order row as it stands. Each
   * step's outcome is persisted (renewing the lease) before the next step runs.
   */
  async drive(id: string, start: DriveStart = {}): Promise<OrderRow | undefined> {
    let row = start.row ?? (await this.store.claim(id, this.options.leaseMs, { wake: start.wake }));
    if (!row) return this.store.row(id);
    let lines = start.lines;
    const linesOf = async () => (lines ??= await this.store.lines(id));
    while (row.saga_step !== 'done') {
      const step = row.saga_step;
      await this.options.hook?.(`before:${step}`, id);
      let outcome: Outcome;
      try {
        outcome = await this.run(row, linesOf);
      } catch (error) {
        // An outage (gateway or service down): park the order; the recovery loop retries after a pause.
        this.logger.warn({ err: error, orderId: id, step }, 'checkout step failed; will retry');
        await this.store.park(id, this.options.retryDelayMs);
        return this.store.row(id);
      }
      await this.options.hook?.(`after:${step}`, id);
      row = await this.store.advance(id, outcome.change, {
        leaseMs: this.options.leaseMs,
        events: outcome.events,
        fulfilments: outcome.fulfilments,
      });
      this.relay.notify();
    }
    return row;
  }

  private async run(row: OrderRow, linesOf: () => Promise<LineRow[]>): Promise<Outcome> {
    const step = row.saga_step as Exclude<SagaStep, 'done'>;
    switch (step) {
      case 'reserve':
        return this.reserve(row, await linesOf());
      case 'authorize':
        return this.authorize(row);
      case 'capture':
        return this.capture(row);
      case 'commit':
        return this.commit(row);
      case 'fulfil':
        return this.fulfil(row, await linesOf());
      case 'void':
        return this.void(row);
      case 'release':
        await this.deps.inventory.release(
          row.id,
          row.status === 'payment_failed' ? 'payment failed' : 'order cancelled',
        );
        return { change: { step: 'done' } };
      case 'refund':
        return this.refund(row);
      case 'restock':
        // Units of a committed reservation go back on the shelf; a no-op when stock was never committed.
        await this.deps.inventory.restock(row.id, 'order refunded');
        return { change: { step: 'done' } };
    }
  }

  private async reserve(row: OrderRow, lines: LineRow[]): Promise<Outcome> {
    if (row.cancel_requested)
      return { change: { step: 'release', status: 'cancelled', note: 'cancelled by customer' } };
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
      if (!isFinal(error)) throw error;
      const declined = isKind(error, 'PaymentDeclined');
      return {
        change: {
          step: 'release',
          status: 'payment_failed',
          note: declined ? 'payment declined' : `payment refused: ${(error as Error).message}`,
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
      if (!isFinal(error)) throw error;
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

  private async void(row: OrderRow): Promise<Outcome> {
    try {
      await this.deps.payments.cancel(row.id);
    } catch (error) {
      if (!isFinal(error)) throw error;
      // Nothing was captured and an uncaptured authorisation lapses at the gateway by itself; holding the
      // stock until a void that can never succeed would only keep others from buying it.
      this.logger.warn({ err: error, orderId: row.id }, 'void refused; releasing stock anyway');
    }
    return { change: { step: 'release' } };
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

  private async refund(row: OrderRow): Promise<Outcome> {
    try {
      await this.deps.payments.refund(row.id);
    } catch (error) {
      if (!isFinal(error)) throw error;
      // Refused for what it asks (e.g. the gateway does not know the payment): every retry would get the
      // same answer and hold the stock for ever. The order ends in a status a person can find and settle;
      // the goods were never shipped, so they go back on the shelf.
      this.logger.error({ err: error, orderId: row.id }, 'refund refused by the payment gateway');
      return {
        change: {
          step: 'restock',
          status: 'refund_failed',
          note: `refund refused by the payment gateway (${(error as Error).message}); needs attention`,
          failure: failureOf(error),
        },
      };
    }
    return { change: { step: 'restock', status: 'refunded', note: 'payment refunded' } };
  }

  private async fulfil(row: OrderRow, lines: LineRow[]): Promise<Outcome> {
    const sellers = [...new Set(lines.map((l) => l.seller_id))].sort();
    // Created in the same transaction as the step and the event, so their ids are the ones published.
    const fulfilments = sellers.map((sellerId) => ({ id: newId(), sellerId }));
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
    return { change: { step: 'done' }, events: [OrderPaid.create(row.id, data)], fulfilments };
  }
}
