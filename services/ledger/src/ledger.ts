import { newId, validation, type Money } from '@emporium/platform';
import { reversalTargets, scaleDown, WHOLE_BPS } from './money.ts';
import type { Db, LedgerStore, NewPosting, OrderRow, SaleRow } from './store.ts';
import type { SellerBalance, StatementEntry } from './types.ts';

/** One seller's part of a paid order: what its lines came to and the commission on them. */
export interface SellerSale {
  sellerId: string;
  gross: number;
  commission: number;
}

export interface OrderSale {
  orderId: string;
  currency: string;
  sellers: SellerSale[];
}

const payable = (sellerId: string, currency: string) =>
  ({ kind: 'seller_payable', sellerId, currency }) as const;
const platform = (
  kind: 'clearing' | 'commission_revenue' | 'payouts_in_transit' | 'adjustments',
  currency: string,
) => ({ kind, currency }) as const;

/** Where one seller stands in one currency, in the ledger's own terms (amounts owed are positive). */
export interface Position {
  currency: string;
  /** Owed to the seller and free to pay: the payable account's credit balance. */
  owed: number;
  /** Held in the seller's reserve account now. */
  held: number;
  /** What the reserve should hold after the next rebalance. */
  reserveTarget: number;
  pending: number;
  paidOut: number;
}

/** A sum of lines (debit positive) as a credit balance; `0 - x` and not `-x`, which makes -0 of 0. */
const credit = (debits: number) => 0 - Number(debits);

export const reservedOf = (p: Position) => Math.min(p.reserveTarget, Math.max(0, p.owed + p.held));
export const availableOf = (p: Position) => p.owed + p.held - reservedOf(p);

/**
 * Double-entry postings for sales, commissions, refunds and adjustments (ADR 1011). Every write runs in
 * a transaction its caller opened: the event consumers open it with the event's processed marker, so a
 * posting and the consumption of the event that caused it commit together or not at all.
 */
export class Ledger {
  constructor(
    readonly store: LedgerStore,
    private readonly reserve: { bps: number; days: number },
  ) {}

  /** Writes postings after checking each balances; returns how many were new (not posted before). */
  async post(trx: Db, ...postings: Omit<NewPosting, 'id'>[]): Promise<number> {
    for (const posting of postings) assertBalanced(posting);
    return this.store.post(
      trx,
      postings.map((p) => ({ id: newId(), ...p })),
    );
  }

  /** The sale and the commission of each seller of a paid order; then any refund already reported. */
  async recordSale(trx: Db, sale: OrderSale): Promise<void> {
    const { orderId, currency } = sale;
    const order = await this.store.lockOrder(trx, orderId, { currency });
    const postings = sale.sellers.flatMap((s) => {
      const common = { sellerId: s.sellerId, orderId };
      return [
        {
          ...common,
          kind: 'sale' as const,
          source: `sale:${orderId}:${s.sellerId}`,
          lines: [
            { account: platform('clearing', currency), amount: s.gross },
            { account: payable(s.sellerId, currency), amount: -s.gross },
          ],
        },
        {
          ...common,
          kind: 'commission' as const,
          source: `commission:${orderId}:${s.sellerId}`,
          lines: [
            { account: payable(s.sellerId, currency), amount: s.commission },
            { account: platform('commission_revenue', currency), amount: -s.commission },
          ],
        },
      ];
    });
    await this.post(trx, ...postings);
    await this.store.insertSales(
      trx,
      sale.sellers.map((s) => ({
        order_id: orderId,
        seller_id: s.sellerId,
        currency,
        gross: s.gross,
        commission: s.commission,
      })),
    );
    if (order.refunded > 0) await this.reverseRefunded(trx, order);
  }

  /**
   * A refund of `refunded` (so far, in total) out of `captured`: each seller's sale and commission are
   * reversed in proportion. Recorded even before the sale is: the sale reverses it when it arrives.
   */
  async recordRefund(trx: Db, orderId: string, refunded: number, captured: number): Promise<void> {
    await this.reverseRefunded(trx, await this.store.lockOrder(trx, orderId, { refunded, captured }));
  }

  /** Posts what the order's refunds reverse beyond what earlier postings reversed (under the order lock). */
  private async reverseRefunded(trx: Db, order: OrderRow): Promise<void> {
    const orderId = order.order_id;
    const sales = await this.store.salesOf(trx, orderId);
    const targets = reversalTargets(sales, order.refunded, order.captured);
    for (const [i, sale] of sales.entries()) {
      const target = targets[i]!;
      const gross = target.gross - sale.reversed_gross;
      const commission = target.commission - sale.reversed_commission;
      if (gross === 0 && commission === 0) continue;
      await this.postReversal(trx, sale, gross, commission, target);
      await this.store.setReversed(trx, orderId, sale.seller_id, target.gross, target.commission);
    }
  }

  private async postReversal(
    trx: Db,
    sale: SaleRow,
    gross: number,
    commission: number,
    upTo: { gross: number; commission: number },
  ) {
    const { seller_id: sellerId, order_id: orderId, currency } = sale;
    await this.post(trx, {
      kind: 'refund',
      source: `refund:${orderId}:${sellerId}:${upTo.gross}:${upTo.commission}`,
      sellerId,
      orderId,
      memo: `refund of ${gross} ${currency}, commission ${commission} ${currency} returned`,
      lines: [
        { account: payable(sellerId, currency), amount: gross },
        { account: platform('clearing', currency), amount: -gross },
        { account: platform('commission_revenue', currency), amount: commission },
        { account: payable(sellerId, currency), amount: -commission },
      ],
    });
  }

  /** A correction by an admin: positive credits the seller (a platform expense), negative debits it. */
  async adjust(request: { sellerId: string; amount: Money; memo: string; key: string }): Promise<boolean> {
    const { sellerId, amount, memo } = request;
    if (!Number.isInteger(amount.amount) || amount.amount === 0)
      throw validation('An adjustment is a non-zero whole number of minor units', [
        { field: 'amount.amount', message: 'must be a non-zero integer' },
      ]);
    const posted = await this.store.db.transaction().execute((trx) =>
      this.post(trx, {
        kind: 'adjustment',
        source: `adjustment:${sellerId}:${request.key}`,
        sellerId,
        memo,
        lines: [
          { account: platform('adjustments', amount.currency), amount: amount.amount },
          { account: payable(sellerId, amount.currency), amount: -amount.amount },
        ],
      }),
    );
    return posted > 0;
  }

  /** Where the seller stands in each currency it has money in. */
  async positions(db: Db, sellerId: string): Promise<Position[]> {
    const [sums, recent, payouts] = await Promise.all([
      this.store.sellerAccountSums(db, sellerId),
      this.store.recentNetSales(db, sellerId, this.reserve.days),
      this.store.payoutSums(db, sellerId),
    ]);
    const currencies = new Set([...sums.map((s) => s.currency), ...payouts.map((p) => p.currency)]);
    return [...currencies].sort().map((currency) => {
      const sum = (kind: string) => sums.find((s) => s.kind === kind && s.currency === currency)?.sum ?? 0;
      const paid = (...statuses: string[]) =>
        payouts
          .filter((p) => p.currency === currency && statuses.includes(p.status))
          .reduce((a, p) => a + Number(p.sum), 0);
      const recentNet = credit(recent.find((r) => r.currency === currency)?.sum ?? 0);
      return {
        currency,
        owed: credit(sum('seller_payable')),
        held: credit(sum('seller_reserve')),
        reserveTarget: Math.max(0, scaleDown(Math.max(0, recentNet), this.reserve.bps, WHOLE_BPS)),
        pending: paid('requested', 'in_transit'),
        paidOut: paid('paid'),
      };
    });
  }

  async balances(sellerId: string): Promise<SellerBalance[]> {
    return (await this.positions(this.store.db, sellerId)).map((p) => ({
      currency: p.currency,
      pending: p.pending,
      available: availableOf(p),
      reserved: reservedOf(p),
      paidOut: p.paidOut,
    }));
  }

  async statement(
    sellerId: string,
    range: { from: string; to: string; after?: { at: string; id: string }; limit: number },
  ): Promise<StatementEntry[]> {
    const rows = await this.store.statement(sellerId, range);
    return rows.map((r) => ({
      postingId: r.id,
      kind: r.kind,
      at: new Date(r.created_at).toISOString(),
      currency: r.currency,
      amount: credit(r.payable),
      reserve: credit(r.reserve),
      ...(r.order_id ? { orderId: r.order_id } : {}),
      ...(r.payout_id ? { payoutId: r.payout_id } : {}),
      ...(r.memo ? { memo: r.memo } : {}),
    }));
  }

  async trialBalance() {
    return (await this.store.trialBalance()).map((r) => ({
      account: r.kind,
      currency: r.currency,
      balance: Number(r.sum),
    }));
  }
}

/** The rule the database checks again at commit: the lines of each currency sum to 0. */
export function assertBalanced(posting: Pick<NewPosting, 'lines' | 'source'>): void {
  const sums = new Map<string, number>();
  for (const l of posting.lines) {
    if (!Number.isSafeInteger(l.amount))
      throw new Error(`posting ${posting.source}: ${l.amount} is not an amount`);
    sums.set(l.account.currency, (sums.get(l.account.currency) ?? 0) + l.amount);
  }
  for (const [currency, sum] of sums)
    if (sum !== 0) throw new Error(`posting ${posting.source} does not balance: ${sum} ${currency}`);
}
