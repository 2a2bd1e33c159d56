import type { Logger } from 'pino';
import { AppError, conflict, isAppError, newId, validation, type Money } from '@emporium/platform';
import { availableOf, reservedOf, type Ledger } from './ledger.ts';
import type { PayoutProvider, Transfer } from './payout-provider.ts';
import type { Db, LedgerStore, PayoutRow } from './store.ts';
import type { Payout } from './types.ts';

export const payoutView = (row: PayoutRow): Payout => ({
  id: row.id,
  sellerId: row.seller_id,
  amount: { amount: Number(row.amount), currency: row.currency },
  status: row.status,
  trigger: row.trigger,
  ...(row.transfer_id ? { transferId: row.transfer_id } : {}),
  ...(row.failure ? { failure: row.failure } : {}),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const SCHEDULE = 'payouts';
const OPEN_BATCH = 200;

/**
 * Paying sellers (ADR 1012, 1013): on the schedule, everyone's available balance; on request, up to it.
 * A payout is posted (seller → payouts in transit) before the bank hears of it, with the payout's id as
 * the transfer's idempotency key, so a crash between the two is repaired by sending it again. The bank's
 * answer later moves the money out (settled) or back to the seller (failed).
 */
export class Payouts {
  constructor(
    private readonly store: LedgerStore,
    private readonly ledger: Ledger,
    private readonly provider: PayoutProvider,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly periodMs: number,
  ) {}

  /** A seller's payout of `amount` now; refused (409) above what is available, and then nothing changes. */
  async request(sellerId: string, amount: Money, key: string): Promise<Payout> {
    if (!Number.isInteger(amount.amount) || amount.amount < 1)
      throw validation('A payout is a whole number of minor units from 1', [
        { field: 'amount.amount', message: 'must be an integer of at least 1' },
      ]);
    const row = await this.store.db.transaction().execute(async (trx) => {
      // Under the seller's lock: a twin request with the same key waits here, then finds the first one's.
      await this.store.lockSellerAccount(trx, sellerId, amount.currency);
      const existing = await this.store.payoutByKey(trx, sellerId, key);
      if (existing) return sameRequest(existing, amount);
      const available = await this.rebalance(trx, sellerId, amount.currency);
      if (amount.amount > available)
        throw conflict(`The payout exceeds the available balance of ${available} ${amount.currency}`, {
          available: { amount: available, currency: amount.currency },
        });
      return this.create(trx, sellerId, amount, { trigger: 'request', key });
    });
    return payoutView(await this.submit(row));
  }

  /** The scheduled run, when a period has passed since the last one; then the bank's news. */
  async run(): Promise<void> {
    if (await this.store.claimRun(SCHEDULE, this.periodMs)) await this.payEveryone();
    await this.settleOpen();
  }

  /** Pays every seller owed money its available balance (what is above its reserve). */
  async payEveryone(): Promise<Payout[]> {
    const run = newId();
    const created: PayoutRow[] = [];
    for (const { seller_id: sellerId, currency } of await this.store.sellersOwed()) {
      const row = await this.store.db.transaction().execute(async (trx) => {
        const available = await this.rebalance(trx, sellerId, currency);
        if (available <= 0) return undefined;
        return this.create(trx, sellerId, { amount: available, currency }, { trigger: 'schedule', key: run });
      });
      if (row) created.push(row);
    }
    return Promise.all(created.map(async (row) => payoutView(await this.submit(row))));
  }

  /** Sends what was posted but not sent, and applies the bank's answer to what is in transit. */
  async settleOpen(): Promise<void> {
    for (const row of await this.store.openPayouts(OPEN_BATCH)) {
      if (row.status === 'requested') await this.submit(row);
      else if (row.transfer_id) {
        const transfer = await this.provider.getTransfer(row.transfer_id);
        if (transfer && transfer.status !== 'pending') await this.conclude(row.id, transfer);
      }
    }
  }

  async list(sellerId: string): Promise<Payout[]> {
    return (await this.store.payoutsOf(sellerId, 100)).map(payoutView);
  }

  /**
   * Moves the seller's reserve to what it should hold now and returns what is available, under the lock
   * on the seller's account, so two payouts of one seller never both spend the same balance.
   */
  private async rebalance(trx: Db, sellerId: string, currency: string): Promise<number> {
    await this.store.lockSellerAccount(trx, sellerId, currency);
    const position = (await this.ledger.positions(trx, sellerId)).find((p) => p.currency === currency);
    if (!position) return 0;
    const move = reservedOf(position) - position.held;
    if (move !== 0)
      await this.ledger.post(trx, {
        kind: 'reserve',
        source: `reserve:${newId()}`,
        sellerId,
        memo: move > 0 ? 'held back for returns' : 'released from the reserve',
        lines: [
          { account: { kind: 'seller_payable', sellerId, currency }, amount: move },
          { account: { kind: 'seller_reserve', sellerId, currency }, amount: -move },
        ],
      });
    return availableOf(position);
  }

  private async create(
    trx: Db,
    sellerId: string,
    amount: Money,
    how: { trigger: 'schedule' | 'request'; key: string },
  ): Promise<PayoutRow> {
    const id = newId();
    await this.store.insertPayout(trx, {
      id,
      seller_id: sellerId,
      currency: amount.currency,
      amount: amount.amount,
      status: 'requested',
      trigger: how.trigger,
      idempotency_key: how.key,
    });
    await this.ledger.post(trx, {
      kind: 'payout',
      source: `payout:${id}`,
      sellerId,
      payoutId: id,
      lines: [
        { account: { kind: 'seller_payable', sellerId, currency: amount.currency }, amount: amount.amount },
        { account: { kind: 'payouts_in_transit', currency: amount.currency }, amount: -amount.amount },
      ],
    });
    return (await this.store.payout(trx, id))!;
  }

  /** Hands a posted payout to the bank; an outage leaves it `requested` for the job to send again. */
  private async submit(row: PayoutRow): Promise<PayoutRow> {
    if (row.status !== 'requested') return row;
    const amount = { amount: Number(row.amount), currency: row.currency };
    try {
      const transfer = await this.provider.createTransfer({
        idempotencyKey: row.id,
        destination: row.seller_id,
        amount,
      });
      await this.store.updatePayout(this.store.db, row.id, {
        status: 'in_transit',
        transfer_id: transfer.id,
      });
      if (transfer.status !== 'pending') await this.conclude(row.id, transfer);
    } catch (error) {
      if (!isAppError(error) || !['Validation', 'Unprocessable'].includes(error.kind)) {
        this.logger.warn({ err: error, payoutId: row.id }, 'payout not sent; the payout job retries');
        return row;
      }
      await this.conclude(row.id, { id: '', status: 'failed', amount, failureReason: error.message });
    }
    return (await this.store.payout(this.store.db, row.id))!;
  }

  /** The bank's last word: the money leaves the platform, or goes back to the seller's balance. */
  private async conclude(payoutId: string, transfer: Transfer): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const row = await this.store.payout(trx, payoutId, true);
      if (!row || row.status === 'paid' || row.status === 'failed') return;
      const { seller_id: sellerId, currency } = row;
      const amount = Number(row.amount);
      const paid = transfer.status === 'paid';
      await this.ledger.post(trx, {
        kind: paid ? 'payout_settled' : 'payout_failed',
        source: `${paid ? 'payout_settled' : 'payout_failed'}:${payoutId}`,
        sellerId,
        payoutId,
        ...(paid ? {} : { memo: `payout failed (${transfer.failureReason ?? 'refused'}); returned` }),
        lines: [
          { account: { kind: 'payouts_in_transit', currency }, amount },
          paid
            ? { account: { kind: 'clearing', currency }, amount: -amount }
            : { account: { kind: 'seller_payable', sellerId, currency }, amount: -amount },
        ],
      });
      await this.store.updatePayout(trx, payoutId, {
        status: paid ? 'paid' : 'failed',
        ...(paid ? {} : { failure: transfer.failureReason ?? 'refused' }),
      });
    });
  }
}

function sameRequest(existing: PayoutRow, amount: Money): PayoutRow {
  if (Number(existing.amount) !== amount.amount || existing.currency !== amount.currency)
    throw new AppError('Unprocessable', 'This Idempotency-Key was already used for another payout', {
      fields: [{ field: 'Idempotency-Key', message: 'reused with a different body' }],
    });
  return existing;
}
