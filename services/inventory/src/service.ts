import type { Logger } from 'pino';
import {
  AppError,
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  subscribeTo,
  type DomainEvent,
  type JobDefinition,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { Inventory, STOCK_REQUEST_CONSUMER, type InventoryOptions } from './inventory.ts';
import { StockRequested, type StockRequest } from './types.ts';
import { internalRoutes, publicRoutes } from './routes.ts';
import { InventoryStore, type InventoryDB } from './store.ts';

export interface InventoryServiceOptions extends InventoryOptions {
  /** How often expired reservations are released; 0 disables the sweep job (tests drive it by hand). */
  sweepIntervalMs?: number;
}

/** A request inventory refuses as invalid will be refused on every redelivery too: logged and dropped. */
async function applyOrDrop(inventory: Inventory, event: DomainEvent<StockRequest>, logger: Logger) {
  try {
    await inventory.applyStockRequest(event);
  } catch (error) {
    if (!(error instanceof AppError) || error.kind !== 'Validation') throw error;
    logger.warn({ err: error, eventId: event.id }, 'invalid catalog stock request dropped');
  }
}

export async function createInventoryService(
  ctx: ServiceContext,
  options: InventoryServiceOptions = {},
): Promise<{ module: ServiceModule; api: Inventory }> {
  const { infra } = ctx;
  await infra.db.migrate('inventory', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const db = infra.db.forSchema<InventoryDB>('inventory');
  const relay = new OutboxRelay(db, infra.bus, { logger: infra.logger });
  const inventory = new Inventory(new InventoryStore(db), relay, infra.logger, options);
  // Subscribed while the services are built, before the catalog's relay can start: an in-process bus
  // delivers only to consumers present at publish, and a stock request must not be marked published
  // without having been applied (ADR 0607).
  const stockRequests = await subscribeTo(
    infra.bus,
    STOCK_REQUEST_CONSUMER,
    StockRequested,
    (event) => applyOrDrop(inventory, event, infra.logger),
    infra.logger,
  );
  // Exclusive (the default): one replica sweeps; a second would only contend for the same expired rows.
  const sweeper: JobDefinition = {
    name: 'inventory.reservation-sweep',
    everyMs: options.sweepIntervalMs ?? 10_000,
    async run() {
      await inventory.sweep();
    },
  };
  const module: ServiceModule = {
    name: 'inventory',
    routes: publicRoutes(inventory),
    internalRoutes: internalRoutes(inventory),
    jobs: [sweeper],
    async start() {
      relay.start();
    },
    async stop() {
      await stockRequests.stop();
      await relay.stop();
    },
  };
  return { module, api: inventory };
}
