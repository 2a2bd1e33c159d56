import { defineService, noSettings } from '@emporium/platform';
import type { InventoryApi } from './types.ts';
import { createInventoryService } from './service.ts';
import { InventoryHttpClient } from './client.ts';
export type {
  Actor,
  Availability,
  InventoryApi,
  Reservation,
  ReservationLine,
  ReservationStatus,
  ReserveRequest,
  StockChangedEvent,
  StockLevel,
  StockRequest,
  StockRequestOutcome,
} from './types.ts';
export { STOCK_CHANGED, StockChanged, StockRequested } from './types.ts';
export { createInventoryService, type InventoryServiceOptions } from './service.ts';
export { InventoryHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    inventory: InventoryApi;
  }
}

export const inventoryService = defineService({
  name: 'inventory',
  needs: {},
  publicPaths: ['/seller/inventory'],
  settings: noSettings,
  create: (ctx) => createInventoryService(ctx),
  client: (url, options) => new InventoryHttpClient(url, options),
});
