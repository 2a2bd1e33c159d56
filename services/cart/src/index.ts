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
