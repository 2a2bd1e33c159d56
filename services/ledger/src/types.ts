import type { Money } from '@emporium/platform';

export type { Money };

export type PostingKind =
  'sale' | 'commission' | 'refund' | 'adjustment' | 'reserve' | 'payout' | 'payout_settled' | 'payout_failed';

export type AccountKind =
  | 'seller_payable'
  | 'seller_reserve'
  | 'clearing'
  | 'commission_revenue'
  | 'payouts_in_transit'
  | 'adjustments';

/** One seller's money in one currency, as the seller's dashboard shows it (ADR 1012). */
export interface SellerBalance {
  currency: string;
  /** Sent in payouts that have not settled at the bank yet. */
  pending: number;
  /** What the next payout would pay: the balance owed minus the reserve. Negative when the seller owes. */
  available: number;
  /** Held back for returns: a share of the recent sales. */
  reserved: number;
  /** Settled payouts, all time. */
  paidOut: number;
}

/** A line of a seller's statement: one posting as it moved the seller's balance (credit positive). */
export interface StatementEntry {
  postingId: string;
  kind: PostingKind;
  at: string;
  currency: string;
  /** What the posting added to (positive) or took from (negative) the seller's balance owed. */
  amount: number;
  /** What it moved into (positive) or out of the reserve. */
  reserve: number;
  orderId?: string;
  payoutId?: string;
  memo?: string;
}

export interface CommissionRule {
  /** Category slug path, e.g. `electronics/phones`; null for the platform default. */
  category: string | null;
  percentBps: number;
  /** Charged per unit sold, on sales in its currency. */
  fixedFee?: Money;
  updatedAt: string;
}

export type PayoutStatus = 'requested' | 'in_transit' | 'paid' | 'failed';

export interface Payout {
  id: string;
  sellerId: string;
  amount: Money;
  status: PayoutStatus;
  trigger: 'schedule' | 'request';
  transferId?: string;
  failure?: string;
  createdAt: string;
  updatedAt: string;
}

/** What other services may ask of the ledger. */
export interface LedgerApi {
  balances(sellerId: string): Promise<SellerBalance[]>;
}
