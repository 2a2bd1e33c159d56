import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  subscribeTo,
  type ServiceContext,
  type ServiceModule,
  type Subscription,
} from '@emporium/platform';
import { PaymentUpdated, type PaymentUpdatedEvent } from '@emporium/payments';
import type { OrdersDeps, SagaHook } from './deps.ts';
import { Orders } from './orders.ts';
import { orderInternalRoutes, orderRoutes } from './routes.ts';
import { CheckoutSaga } from './saga.ts';
import { GuestAccess } from './guest-access.ts';
import { OrdersStore, type OrdersDB } from './store.ts';

export interface OrdersServiceOptions {
  /** How long one process may drive an order before another may take over (crash recovery). */
  leaseMs?: number;
  /** Pause before an outage-blocked step is retried the first time; it doubles with each failure in a row. */
  retryDelayMs?: number;
  /** The longest pause between two attempts of a failing step. */
  retryMaxDelayMs?: number;
  /** How often unfinished sagas are looked for; 0 disables the job (tests drive recovery by hand). */
  recoveryIntervalMs?: number;
  /** How long a duplicate request waits for the original's outcome. */
  twinWaitMs?: number;
  hook?: SagaHook;
  /** Drive an order forward when its payment moves (payments events, fed by gateway webhooks). Default on. */
  wakeOnPayment?: boolean;
}

export async function createOrdersService(
  ctx: ServiceContext,
  deps: OrdersDeps,
  options: OrdersServiceOptions = {},
): Promise<{ module: ServiceModule; api: Orders }> {
  const { infra } = ctx;
  await infra.db.migrate('orders', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const store = new OrdersStore(infra.db.forSchema<OrdersDB>('orders'));
  const relay = new OutboxRelay(store.db, infra.bus, { logger: infra.logger });
  const leaseMs = options.leaseMs ?? 30_000;
  const saga = new CheckoutSaga(store, deps, relay, infra.logger, {
    leaseMs,
    retryDelayMs: options.retryDelayMs ?? 2_000,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
    hook: options.hook,
  });
  const orders = new Orders(
    store,
    saga,
    deps,
    { twinWaitMs: options.twinWaitMs ?? 20_000, leaseMs },
    await GuestAccess.open(store),
  );
  // One process looks for unfinished sagas at a time; each order is still claimed under its own lease.
  const recovery = saga.runner.recoveryJob({
    name: 'orders.checkout-recovery',
    everyMs: options.recoveryIntervalMs ?? 5_000,
  });
  // A payment that moved (often told by a gateway webhook) wakes its order if it is parked after an
  // outage or left by a dead process; a live driver holds the lease and the claim is a no-op. Fire and
  // forget: a lost wake-up is covered by the recovery job.
  let payments: Subscription | undefined;
  const wake = async (data: PaymentUpdatedEvent) => {
    if (data.status === 'pending') return;
    void saga
      .drive(data.orderId, { wake: true })
      .catch((err: unknown) => infra.logger.warn({ err, orderId: data.orderId }, 'payment wake-up failed'));
  };
  const module: ServiceModule = {
    name: 'orders',
    routes: orderRoutes(orders),
    internalRoutes: orderInternalRoutes(orders),
    jobs: [recovery],
    async start() {
      relay.start();
      if (options.wakeOnPayment ?? true)
        payments = await subscribeTo(
          infra.bus,
          'orders-payment-wakeup',
          PaymentUpdated,
          (event) => wake(event.data),
          infra.logger,
        );
    },
    async stop() {
      await payments?.stop();
      await relay.stop();
    },
  };
  return { module, api: orders };
}
