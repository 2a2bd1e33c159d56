// The parts of other services' contracts that orders calls (structural, so in-process implementations
// and HTTP clients both fit).
import type { InventoryApi } from '@emporium/inventory';
import type { PaymentsApi } from '@emporium/payments';
import type { CartApi } from '@emporium/cart';
import type { UsersApi } from '@emporium/users';

export interface OrdersDeps {
  inventory: Pick<InventoryApi, 'reserve' | 'commit' | 'release' | 'restock'>;
  payments: Pick<PaymentsApi, 'authorize' | 'capture' | 'cancel' | 'refund'>;
  cart: CartApi;
  /** Saved addresses and account e-mails; without it (checkout-only stacks) those requests are 503s. */
  users?: Pick<UsersApi, 'getAddress' | 'getEmailKey'>;
}

/** Test hook: called at `before:<step>` and `after:<step>` (action done, not yet recorded). */
export type SagaHook = (point: string, orderId: string) => Promise<void> | void;
