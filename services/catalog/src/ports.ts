// The other services' APIs the catalog calls, through their public entries only.
export type {
  InventoryApi as InventoryPort,
  StockChangedEvent,
  StockRequest,
  StockRequestOutcome,
} from '@emporium/inventory';
export { StockChanged, StockRequested } from '@emporium/inventory';
export type { UsersApi as UsersPort, SellerProfile, Role } from '@emporium/users';
export type { ProductRatingChangedEvent } from '@emporium/reviews';
export { ProductRatingChanged } from '@emporium/reviews';
