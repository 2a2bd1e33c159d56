import {
  eventTablesMigration,
  loadMigrations,
  type JobDefinition,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { Carts } from './cart.ts';
import { cartInternalRoutes, cartRoutes } from './routes.ts';
import { CartStore, type CartDB } from './store.ts';
import type { AvailabilitySource, VariantSource } from './types.ts';

export interface CartServiceOptions {
  /** A guest cart untouched this long is deleted. Default 7 days. */
  guestTtlSeconds?: number;
  cacheSeconds?: number;
  /** How often expired guest carts are deleted (default hourly); 0 disables the sweep job. */
  sweepIntervalMs?: number;
  /** The store's currency (ISO 4217): what an empty cart is priced in. Default USD. */
  currency?: string;
}

/** The store's currency unless the composition root says otherwise: the one place it is decided. */
const DEFAULT_STORE_CURRENCY = 'USD';

export async function createCartService(
  ctx: ServiceContext,
  deps: { catalog: VariantSource; inventory: AvailabilitySource },
  options: CartServiceOptions = {},
): Promise<{ module: ServiceModule; api: Carts }> {
  const { infra } = ctx;
  await infra.db.migrate('cart', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const guestTtlSeconds = options.guestTtlSeconds ?? 7 * 86_400;
  const carts = new Carts(
    new CartStore(infra.db.forSchema<CartDB>('cart')),
    deps.catalog,
    deps.inventory,
    infra.cache,
    {
      guestTtlSeconds,
      cacheSeconds: options.cacheSeconds ?? 300,
      currency: options.currency ?? DEFAULT_STORE_CURRENCY,
    },
  );
  const sweeper: JobDefinition = {
    name: 'cart.guest-sweep',
    everyMs: options.sweepIntervalMs ?? 60 * 60_000,
    async run() {
      await carts.sweepExpiredGuests();
    },
  };
  const module: ServiceModule = {
    name: 'cart',
    routes: cartRoutes(carts, guestTtlSeconds),
    internalRoutes: cartInternalRoutes(carts),
    jobs: [sweeper],
  };
  return { module, api: carts };
}
