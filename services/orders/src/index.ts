import { defineService, noSettings, requires } from '@emporium/platform';
import type {} from '@emporium/cart';
import type {} from '@emporium/inventory';
import type {} from '@emporium/payments';
import type {} from '@emporium/users';
import type { OrdersApi } from './types.ts';
import { createOrdersService } from './service.ts';
import { OrdersHttpClient } from './client.ts';
export type {
  Address,
  Fulfilment,
  Money,
  Order,
  OrderLine,
  OrderPaidEvent,
  OrderStatus,
  OrdersApi,
} from './types.ts';
export { ORDER_PAID, ORDER_STATUS_CHANGED, OrderPaid, OrderStatusChanged } from './types.ts';
export type { OrdersDeps, SagaHook } from './deps.ts';
export { createOrdersService, type OrdersServiceOptions } from './service.ts';
export { OrdersHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    orders: OrdersApi;
  }
}

export const ordersService = defineService({
  name: 'orders',
  needs: {
    cart: requires('cart'),
    inventory: requires('inventory'),
    payments: requires('payments'),
    users: requires('users'),
  },
  publicPaths: ['/orders', '/seller/orders'],
  settings: noSettings,
  create: (ctx, deps) => createOrdersService(ctx, deps),
  client: (url, options) => new OrdersHttpClient(url, options),
});
