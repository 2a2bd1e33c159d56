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
} from './types.ts';
export { STOCK_CHANGED } from './types.ts';
export { createInventoryService, type InventoryServiceOptions } from './service.ts';
export { InventoryHttpClient } from './client.ts';
