import { defineService, noSettings, requires } from '@emporium/platform';
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

export const cartService = defineService({
  name: 'cart',
  needs: { catalog: requires('catalog'), inventory: requires('inventory') },
  publicPaths: ['/cart'],
  settings: noSettings,
  create: (ctx, deps) => createCartService(ctx, deps),
  client: (url, options) => new CartHttpClient(url, options),
});
