import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { Inventory, type InventoryOptions } from './inventory.ts';
import { internalRoutes, publicRoutes } from './routes.ts';
import { InventoryStore, type InventoryDB } from './store.ts';

export interface InventoryServiceOptions extends InventoryOptions {
  /** How often expired reservations are released; 0 disables the sweeper (tests drive it by hand). */
  sweepIntervalMs?: number;
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
  const sweepEvery = options.sweepIntervalMs ?? 10_000;
  let sweeper: NodeJS.Timeout | undefined;
  const module: ServiceModule = {
    name: 'inventory',
    routes: publicRoutes(inventory),
    internalRoutes: internalRoutes(inventory),
    async start() {
      relay.start();
      if (sweepEvery > 0)
        sweeper = setInterval(() => {
          inventory.sweep().catch((err: unknown) => infra.logger.warn({ err }, 'reservation sweep failed'));
        }, sweepEvery);
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await relay.stop();
    },
  };
  return { module, api: inventory };
}
