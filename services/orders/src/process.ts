import { defineTransitions } from '@emporium/platform';
import type { OrderRow } from './store.ts';

/**
 * Every status an order may move to from each status, in one table (ADR 0009). The store checks each
 * change against it in the transaction that writes it, so no step or route can, say, mark a refunded
 * order paid again. `rejected` is an out-of-stock attempt, hidden from customers.
 */
export const orderProcess = defineTransitions<OrderRow['status']>({
  pending_payment: ['paid', 'payment_failed', 'cancelled', 'rejected'],
  // A paid order is refunded when cancelled or when its reservation expired before the commit.
  paid: ['fulfilling', 'refunded'],
  fulfilling: ['shipped', 'refunded'],
  shipped: ['delivered'],
  delivered: [],
  payment_failed: [],
  cancelled: [],
  refunded: [],
  rejected: [],
});
