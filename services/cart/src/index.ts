import { defineService, requires, type Config } from '@emporium/platform';
import type {} from '@emporium/catalog';
import type {} from '@emporium/inventory';
import type { CartApi } from './types.ts';
import { createCartService } from './service.ts';
import { CartHttpClient } from './client.ts';
export type {
  CartApi,
  CartLineView,
  CartView,
  Money,
  VariantInfo,
  VariantSource,
  AvailabilitySource,
} from './types.ts';
export { MAX_LINE_QUANTITY, MAX_LINES } from './types.ts';
export { createCartService, type CartServiceOptions } from './service.ts';
export { CartHttpClient } from './client.ts';
export { guestCartIdOf } from './routes.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    cart: CartApi;
  }
}

/** The store's currency (STORE_CURRENCY, read and checked by the platform config): an empty cart's. */
const cartSettings = (_env: unknown, config: Config): { currency: string } => ({
  currency: config.storeCurrency,
});

export const cartService = defineService({
  name: 'cart',
  needs: { catalog: requires('catalog'), inventory: requires('inventory') },
  publicPaths: ['/cart'],
  settings: cartSettings,
  create: (ctx, deps) => createCartService(ctx, deps, { currency: ctx.settings.currency }),
  client: (url, options) => new CartHttpClient(url, options),
});
