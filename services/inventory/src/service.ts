import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  type JobDefinition,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { Inventory, type InventoryOptions } from './inventory.ts';
import { internalRoutes, publicRoutes } from './routes.ts';
import { InventoryStore, type InventoryDB } from './store.ts';

export interface InventoryServiceOptions extends InventoryOptions {
  /** How often expired reservations are released; 0 disables the sweep job (tests drive it by hand). */
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
      await relay.stop();
    },
  };
  return { module, api: inventory };
}
