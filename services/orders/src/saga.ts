import type { Logger } from 'pino';
import {
  createStep,
  defineWorkflow,
  fail,
  isAppError,
  newId,
  next,
  WorkflowRunner,
  type DomainEvent,
  type OutboxRelay,
  type StepOutcome,
  type Workflow,
  type WorkflowRun,
  type WorkflowStateStore,
} from '@emporium/platform';
import type { OrdersDeps, SagaHook } from './deps.ts';
import type { Failure, LineRow, OrderRow, OrdersStore } from './store.ts';
import { OrderPaid, type OrderPaidEvent, type SagaStep } from './types.ts';

/** What a checkout step asks the store to write with its move: a status change, events, fulfilments. */
export type Effect = {
  status?: OrderRow['status'];
  note?: string;
  failure?: Failure;
  events?: DomainEvent[];
  fulfilments?: { id: string; sellerId: string }[];
};

/** A run of checkout is the order row; its lines are read at most once per drive, when a step needs them. */
export interface CheckoutState {
  row: OrderRow;
  lines(): Promise<LineRow[]>;
}

type Run = WorkflowRun<CheckoutState>;
type Outcome = StepOutcome<Effect>;

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

const cancelled: Effect = { status: 'cancelled', note: 'cancelled by customer' };
/** After the refund step, whatever its outcome: nothing is left to void or release. */
const MONEY_RETURNED_OR_SETTLED = new Set<OrderRow['status']>(['refunded', 'refund_failed']);
const linesOf = (lines: LineRow[]) => lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));

/**
 * Checkout as a list of steps, each with its compensation (ADR 0703, 0009). The compensations keep the
 * names the saga persisted before the runner existed (release, void, refund, restock), so rows already
 * in flight resume where they stand. Every step is idempotent: reservation id = order id, payment keys
 * derived from the order, the cart's clean-up guarded by the order id.
 */
export function checkoutWorkflow(
  deps: OrdersDeps,
  logger: Pick<Logger, 'warn'>,
): Workflow<CheckoutState, Effect> {
  return defineWorkflow<CheckoutState, Effect>({
    name: 'orders.checkout',
    steps: [
      createStep('reserve', (run) => reserve(deps, run), {
        name: 'release',
        run: (run) => release(deps, run),
      }),
      createStep('authorize', (run) => authorize(deps, run), {
        name: 'void',
        run: (run) => voidPayment(deps, logger, run),
      }),
      createStep('capture', (run) => capture(deps, run), { name: 'refund', run: (run) => refund(deps, run) }),
      createStep('commit', (run) => commit(deps, run), { name: 'restock', run: (run) => restock(deps, run) }),
      // Fulfilments need no compensation: a refund cancels the pending ones with its status change.
      createStep('fulfil', (run) => fulfil(run)),
      // A step, not a logged call: a cart service that is down is retried until the lines are gone.
      createStep('clear_cart', (run) => clearCart(deps, run)),
    ],
  });
}

async function reserve(deps: OrdersDeps, { state: { row, lines } }: Run): Promise<Outcome> {
  // The reservation may exist if a crash came after it: the cancel undoes this step too.
  if (row.cancel_requested) return fail(cancelled, { undoThis: true });
  try {
    await deps.inventory.reserve({ reservationId: row.id, lines: linesOf(await lines()) });
  } catch (error) {
    if (!isKind(error, 'Conflict', 'Validation', 'NotFound')) throw error;
    return fail({ status: 'rejected', note: 'out of stock', failure: failureOf(error) });
  }
  return next();
}

async function release(deps: OrdersDeps, { state: { row } }: Run): Promise<void> {
  // A refunded order's units were committed and are put back by restock; its reservation is closed.
  if (MONEY_RETURNED_OR_SETTLED.has(row.status)) return;
  await deps.inventory.release(
    row.id,
    row.status === 'payment_failed' ? 'payment failed' : 'order cancelled',
  );
}

async function authorize(deps: OrdersDeps, { state: { row } }: Run): Promise<Outcome> {
  if (row.cancel_requested) return fail(cancelled, { undoThis: true });
  try {
    await deps.payments.authorize({
      orderId: row.id,
      customerId: row.customer_id,
      amount: { amount: row.total_amount, currency: row.currency },
      token: row.payment_token,
    });
  } catch (error) {
    if (!isFinal(error)) throw error;
    const declined = isKind(error, 'PaymentDeclined');
    return fail({
      status: 'payment_failed',
      note: declined ? 'payment declined' : `payment refused: ${(error as Error).message}`,
      failure: failureOf(error),
    });
  }
  return next();
}

async function voidPayment(deps: OrdersDeps, logger: Pick<Logger, 'warn'>, { state: { row } }: Run) {
  // A refunded payment has no authorisation left to void.
  if (MONEY_RETURNED_OR_SETTLED.has(row.status)) return;
  try {
    await deps.payments.cancel(row.id);
  } catch (error) {
    if (!isFinal(error)) throw error;
    // Nothing was captured and an uncaptured authorisation lapses at the gateway by itself; holding the
    // stock until a void that can never succeed would only keep others from buying it.
    logger.warn({ err: error, orderId: row.id }, 'void refused; releasing stock anyway');
  }
}

async function capture(deps: OrdersDeps, { state: { row } }: Run): Promise<Outcome> {
  try {
    await deps.payments.capture(row.id);
  } catch (error) {
    if (!isFinal(error)) throw error;
    return fail({ status: 'payment_failed', note: 'capture refused', failure: failureOf(error) });
  }
  return next({ status: 'paid', note: 'payment captured' });
}

async function refund(deps: OrdersDeps, { state: { row } }: Run): Promise<Effect> {
  try {
    await deps.payments.refund(row.id);
  } catch (error) {
    if (!isFinal(error)) throw error;
    // Refused for what it asks (e.g. the gateway does not know the payment): every retry would get the
    // same answer. The order ends in a status a person can find and settle; the stock is already back.
    return {
      status: 'refund_failed',
      note: `refund refused by the payment gateway (${(error as Error).message}); needs attention`,
      failure: failureOf(error),
    };
  }
  return { status: 'refunded', note: 'payment refunded' };
}

async function commit(deps: OrdersDeps, { state: { row } }: Run): Promise<Outcome> {
  try {
    await deps.inventory.commit(row.id);
  } catch (error) {
    if (!isKind(error, 'Conflict', 'NotFound')) throw error;
    // The reservation expired before payment completed: the units may be sold; give the money back.
    return fail({ note: 'reservation expired before payment', failure: failureOf(error) });
  }
  return next();
}

async function restock(deps: OrdersDeps, { state: { row } }: Run): Promise<void> {
  // Units of a committed reservation go back on the shelf, once whatever the number of calls.
  await deps.inventory.restock(row.id, 'order refunded');
}

async function fulfil({ state: { row, lines } }: Run): Promise<Outcome> {
  const ordered = await lines();
  const sellers = [...new Set(ordered.map((l) => l.seller_id))].sort();
  // Created in the same transaction as the step and the event, so their ids are the ones published.
  const fulfilments = sellers.map((sellerId) => ({ id: newId(), sellerId }));
  const data: OrderPaidEvent = {
    orderId: row.id,
    customerId: row.customer_id,
    total: { amount: row.total_amount, currency: row.currency },
    fulfilments: fulfilments.map((f) => ({
      id: f.id,
      sellerId: f.sellerId,
      lines: linesOf(ordered.filter((l) => l.seller_id === f.sellerId)),
    })),
    shippingAddress: row.shipping_address,
  };
  return next({ events: [OrderPaid.create(row.id, data)], fulfilments });
}

async function clearCart(deps: OrdersDeps, { state: { row, lines } }: Run): Promise<Outcome> {
  if (row.guest_cart_id)
    await deps.cart.markGuestCheckedOut(row.guest_cart_id, row.id, linesOf(await lines()));
  else await deps.cart.markCheckedOut(row.customer_id, row.id, linesOf(await lines()));
  return next();
}

const STEPS = new Set<string>([
  'reserve',
  'authorize',
  'capture',
  'commit',
  'fulfil',
  'clear_cart',
  'release',
  'void',
  'refund',
  'restock',
  'done',
]);
const asStep = (position: string): SagaStep => {
  if (!STEPS.has(position)) throw new Error(`unknown checkout step ${position}`);
  return position as SagaStep;
};

/** Checkout runs kept on the order rows (saga_step, locked_until, next_attempt_at, failures). */
class OrderRuns implements WorkflowStateStore<CheckoutState, Effect> {
  constructor(private readonly store: OrdersStore) {}

  runOf(row: OrderRow, lines?: LineRow[] | (() => Promise<LineRow[]>)): Run {
    let read: Promise<LineRow[]> | undefined = Array.isArray(lines) ? Promise.resolve(lines) : undefined;
    const load = typeof lines === 'function' ? lines : () => this.store.lines(row.id);
    const memo = () => (read ??= load());
    return { id: row.id, position: row.saga_step, failures: row.failures, state: { row, lines: memo } };
  }

  async claim(id: string, options: { leaseMs: number; wake: boolean }) {
    const row = await this.store.claim(id, options.leaseMs, { wake: options.wake });
    return row && this.runOf(row);
  }

  async advance(run: Run, to: string, effect: Effect | undefined, leaseMs: number) {
    const { events, fulfilments, ...change } = effect ?? {};
    const row = await this.store.advance(
      run.id,
      { step: asStep(to), ...change },
      { leaseMs, events, fulfilments },
    );
    return this.runOf(row, run.state.lines);
  }

  park(run: Run, retryMs: number) {
    return this.store.park(run.id, retryMs);
  }

  async load(id: string) {
    const row = await this.store.row(id);
    return row && this.runOf(row);
  }

  due(limit: number) {
    return this.store.unfinished(limit);
  }
}

/**
 * Drives an order's checkout on the platform's workflow runner, under the order's lease: the request
 * that inserted it, the recovery job, a payment event or a cancel, whichever holds the lease.
 */
export class CheckoutSaga {
  readonly runner: WorkflowRunner<CheckoutState, Effect>;
  private readonly runs: OrderRuns;

  constructor(
    store: OrdersStore,
    deps: OrdersDeps,
    relay: Pick<OutboxRelay, 'notify'>,
    logger: Logger,
    options: { leaseMs: number; retryDelayMs: number; retryMaxDelayMs: number; hook?: SagaHook },
  ) {
    this.runs = new OrderRuns(store);
    this.runner = new WorkflowRunner(checkoutWorkflow(deps, logger), this.runs, {
      leaseMs: options.leaseMs,
      retry: { baseMs: options.retryDelayMs, maxMs: options.retryMaxDelayMs },
      logger,
      hook: options.hook,
      onAdvance: () => relay.notify(),
    });
  }

  /** Where a paid order is re-opened to be undone: the compensation of its latest undoable step. */
  get undoAll(): SagaStep {
    return asStep(this.runner.workflow.undoAll);
  }

  /** Runs the saga until it is done or blocked by an outage; returns the order row as it stands. */
  async drive(id: string, start: DriveStart = {}): Promise<OrderRow | undefined> {
    const run = start.row ? this.runs.runOf(start.row, start.lines) : undefined;
    return (await this.runner.drive(id, { run, wake: start.wake }))?.state.row;
  }
}
