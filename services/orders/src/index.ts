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
export { ORDER_PAID, ORDER_STATUS_CHANGED } from './types.ts';
export type { OrdersDeps, SagaHook } from './deps.ts';
export { createOrdersService, type OrdersServiceOptions } from './service.ts';
export { OrdersHttpClient } from './client.ts';
