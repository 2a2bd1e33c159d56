import { ConfigError, defineService, requires, type Env } from '@emporium/platform';
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

declare module '@emporium/platform' {
  interface ServiceApis {
    cart: CartApi;
  }
}

/** STORE_CURRENCY (ISO 4217, default USD): what an empty cart is priced in. */
function cartSettings(env: Env): { currency: string } {
  const currency = env.STORE_CURRENCY || 'USD';
  if (!/^[A-Z]{3}$/.test(currency))
    throw new ConfigError('STORE_CURRENCY', `must be an ISO 4217 code such as USD, got "${currency}"`);
  return { currency };
}

export const cartService = defineService({
  name: 'cart',
  needs: { catalog: requires('catalog'), inventory: requires('inventory') },
  publicPaths: ['/cart'],
  settings: cartSettings,
  create: (ctx, deps) => createCartService(ctx, deps, { currency: ctx.settings.currency }),
  client: (url, options) => new CartHttpClient(url, options),
});
