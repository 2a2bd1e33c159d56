// The parts of other services' contracts the ledger calls (structural, so in-process implementations and
// HTTP clients both fit).
import type { CatalogApi } from '@emporium/catalog';
import type { OrdersApi } from '@emporium/orders';

export interface LedgerDeps {
  orders: Pick<OrdersApi, 'getOrder'>;
  catalog: Pick<CatalogApi, 'getProducts'>;
}
