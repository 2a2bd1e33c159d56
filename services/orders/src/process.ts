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
  // refund_failed: the gateway refused the refund for good; a person settles it (ADR 0701).
  paid: ['fulfilling', 'refunded', 'refund_failed'],
  fulfilling: ['shipped', 'refunded', 'refund_failed'],
  shipped: ['delivered'],
  delivered: [],
  payment_failed: [],
  cancelled: [],
  refunded: [],
  refund_failed: [],
  rejected: [],
});
