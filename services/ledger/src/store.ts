import { sql, type Generated, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { OutboxTables } from '@emporium/platform';
import type { AccountKind, PayoutStatus, PostingKind } from './types.ts';

export interface LedgerDB extends OutboxTables {
  accounts: { id: string; kind: AccountKind; seller_id: string | null; currency: string };
  postings: {
    id: string;
    kind: PostingKind;
    source: string;
    seller_id: string | null;
    order_id: string | null;
    payout_id: string | null;
    memo: string | null;
    created_at: Generated<string>;
  };
  lines: { posting_id: string; line: number; account_id: string; currency: string; amount: number };
  commission_rules: {
    category: string;
    percent_bps: number;
    fixed_fee: number;
    currency: string | null;
    updated_at: Generated<string>;
  };
  orders: {
    order_id: string;
    currency: string | null;
    refunded: Generated<number>;
    captured: Generated<number>;
  };
  sales: {
    order_id: string;
    seller_id: string;
    currency: string;
    gross: number;
    commission: number;
    reversed_gross: Generated<number>;
    reversed_commission: Generated<number>;
    created_at: Generated<string>;
  };
  payouts: {
    id: string;
    seller_id: string;
    currency: string;
    amount: number;
    status: PayoutStatus;
    trigger: 'schedule' | 'request';
    idempotency_key: string;
    transfer_id: string | null;
    failure: string | null;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  schedule: { name: string; last_run_at: string };
}

export type Db = Kysely<LedgerDB>;
export type RuleRow = Selectable<LedgerDB['commission_rules']>;
export type SaleRow = Selectable<LedgerDB['sales']>;
export type OrderRow = Selectable<LedgerDB['orders']>;
export type PayoutRow = Selectable<LedgerDB['payouts']>;

export interface AccountRef {
  kind: AccountKind;
  currency: string;
  sellerId?: string;
}

export const accountId = (a: AccountRef) =>
  a.sellerId === undefined ? `${a.kind}:${a.currency}` : `${a.kind}:${a.sellerId}:${a.currency}`;

export interface NewPosting {
  id: string;
  kind: PostingKind;
  source: string;
  sellerId?: string;
  orderId?: string;
  payoutId?: string;
  memo?: string;
  lines: { account: AccountRef; amount: number }[];
}

/** Persistence of the ledger schema: the only file with its queries. */
export class LedgerStore {
  constructor(readonly db: Db) {}

  /**
   * Writes postings and their lines in the caller's transaction, in three statements whatever their
   * number; returns how many were new. A posting whose source was posted before writes nothing. The
   * database checks each posting's balance again after the statement (a trigger over the lines written).
   */
  async post(trx: Db, postings: NewPosting[]): Promise<number> {
    if (postings.length === 0) return 0;
    const accounts = new Map(postings.flatMap((p) => p.lines.map((l) => [accountId(l.account), l.account])));
    await trx
      .insertInto('accounts')
      .values(
        [...accounts].map(([id, a]) => ({
          id,
          kind: a.kind,
          seller_id: a.sellerId ?? null,
          currency: a.currency,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const inserted = await trx
      .insertInto('postings')
      .values(
        postings.map((p) => ({
          id: p.id,
          kind: p.kind,
          source: p.source,
          seller_id: p.sellerId ?? null,
          order_id: p.orderId ?? null,
          payout_id: p.payoutId ?? null,
          memo: p.memo ?? null,
        })),
      )
      .onConflict((oc) => oc.column('source').doNothing())
      .returning('id')
      .execute();
    const fresh = new Set(inserted.map((r) => r.id));
    const lines = postings
      .filter((p) => fresh.has(p.id))
      .flatMap((p) =>
        p.lines.map((l, i) => ({
          posting_id: p.id,
          line: i,
          account_id: accountId(l.account),
          currency: l.account.currency,
          amount: l.amount,
        })),
      );
    if (lines.length > 0) await trx.insertInto('lines').values(lines).execute();
    return fresh.size;
  }

  /**
   * The order's row, created if new, with `change` applied (a refund only ever grows: an older event may
   * arrive late); the row stays locked until the caller's transaction ends. One statement.
   */
  async lockOrder(
    trx: Db,
    orderId: string,
    change: { currency?: string; refunded?: number; captured?: number } = {},
  ) {
    return trx
      .insertInto('orders')
      .values({
        order_id: orderId,
        currency: change.currency ?? null,
        refunded: change.refunded ?? 0,
        captured: change.captured ?? 0,
      })
      .onConflict((oc) =>
        oc.column('order_id').doUpdateSet({
          currency: sql`coalesce(excluded.currency, orders.currency)`,
          refunded: sql`greatest(orders.refunded, excluded.refunded)`,
          captured: sql`greatest(orders.captured, excluded.captured)`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async insertSales(trx: Db, rows: Insertable<LedgerDB['sales']>[]): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('sales')
      .values(rows)
      .onConflict((oc) => oc.columns(['order_id', 'seller_id']).doNothing())
      .execute();
  }

  async salesOf(trx: Db, orderId: string): Promise<SaleRow[]> {
    return trx.selectFrom('sales').selectAll().where('order_id', '=', orderId).orderBy('seller_id').execute();
  }

  async setReversed(trx: Db, orderId: string, sellerId: string, gross: number, commission: number) {
    await trx
      .updateTable('sales')
      .set({ reversed_gross: gross, reversed_commission: commission })
      .where('order_id', '=', orderId)
      .where('seller_id', '=', sellerId)
      .execute();
  }

  // --- commission rules

  async rules(db: Db = this.db): Promise<RuleRow[]> {
    return db.selectFrom('commission_rules').selectAll().orderBy('category').execute();
  }

  async rulesFor(db: Db, categories: string[]): Promise<RuleRow[]> {
    if (categories.length === 0) return [];
    return db.selectFrom('commission_rules').selectAll().where('category', 'in', categories).execute();
  }

  async putRule(rule: Omit<RuleRow, 'updated_at'>): Promise<RuleRow> {
    return this.db
      .insertInto('commission_rules')
      .values(rule)
      .onConflict((oc) =>
        oc.column('category').doUpdateSet({
          percent_bps: rule.percent_bps,
          fixed_fee: rule.fixed_fee,
          currency: rule.currency,
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteRule(category: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('commission_rules')
      .where('category', '=', category)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // --- balances and statements

  /** Sum of the lines of each of the seller's accounts (debit positive). */
  async sellerAccountSums(db: Db, sellerId: string) {
    return db
      .selectFrom('accounts')
      .innerJoin('lines', 'lines.account_id', 'accounts.id')
      .select(['accounts.kind', 'accounts.currency', (eb) => eb.fn.sum<number>('lines.amount').as('sum')])
      .where('accounts.seller_id', '=', sellerId)
      .groupBy(['accounts.kind', 'accounts.currency'])
      .execute();
  }

  /** The seller's net sales (sales less commission and refunds) posted since `days` ago, per currency. */
  async recentNetSales(db: Db, sellerId: string, days: number) {
    return db
      .selectFrom('postings')
      .innerJoin('lines', 'lines.posting_id', 'postings.id')
      .select(['lines.currency', (eb) => eb.fn.sum<number>('lines.amount').as('sum')])
      .where('postings.seller_id', '=', sellerId)
      .where('postings.kind', 'in', ['sale', 'commission', 'refund'])
      .where('postings.created_at', '>=', sql<string>`now() - ${`${days} days`}::interval`)
      .where('lines.account_id', 'like', 'seller_payable:%')
      .groupBy('lines.currency')
      .execute();
  }

  async payoutSums(db: Db, sellerId: string) {
    return db
      .selectFrom('payouts')
      .select(['currency', 'status', (eb) => eb.fn.sum<number>('amount').as('sum')])
      .where('seller_id', '=', sellerId)
      .groupBy(['currency', 'status'])
      .execute();
  }

  /** The seller's postings in [from, to), oldest first, each with what it did to the seller's accounts. */
  async statement(
    sellerId: string,
    range: { from: string; to: string; after?: { at: string; id: string }; limit: number },
  ) {
    return this.db
      .selectFrom('postings')
      .innerJoin('lines', 'lines.posting_id', 'postings.id')
      .innerJoin('accounts', 'accounts.id', 'lines.account_id')
      .select([
        'postings.id',
        'postings.kind',
        'postings.created_at',
        'postings.order_id',
        'postings.payout_id',
        'postings.memo',
        'lines.currency',
        sql<number>`coalesce(sum(lines.amount) filter (where accounts.kind = 'seller_payable'), 0)`.as(
          'payable',
        ),
        sql<number>`coalesce(sum(lines.amount) filter (where accounts.kind = 'seller_reserve'), 0)`.as(
          'reserve',
        ),
      ])
      .where('postings.seller_id', '=', sellerId)
      .where('accounts.seller_id', '=', sellerId)
      .where('postings.created_at', '>=', range.from)
      .where('postings.created_at', '<', range.to)
      .$if(range.after !== undefined, (q) =>
        q.where((eb) =>
          eb(
            eb.refTuple('postings.created_at', 'postings.id'),
            '>',
            eb.tuple(range.after!.at, range.after!.id),
          ),
        ),
      )
      .groupBy(['postings.id', 'lines.currency'])
      .orderBy('postings.created_at')
      .orderBy('postings.id')
      .limit(range.limit)
      .execute();
  }

  /** Every account kind's sum per currency: a sound ledger sums to 0 in each currency. */
  async trialBalance() {
    return this.db
      .selectFrom('lines')
      .innerJoin('accounts', 'accounts.id', 'lines.account_id')
      .select(['accounts.kind', 'lines.currency', (eb) => eb.fn.sum<number>('lines.amount').as('sum')])
      .groupBy(['accounts.kind', 'lines.currency'])
      .orderBy('lines.currency')
      .orderBy('accounts.kind')
      .execute();
  }

  // --- payouts

  /** Serialises payouts of one seller and currency: the account row is locked until the transaction ends. */
  async lockSellerAccount(trx: Db, sellerId: string, currency: string): Promise<void> {
    const account = { kind: 'seller_payable', sellerId, currency } as const;
    const id = accountId(account);
    await trx
      .insertInto('accounts')
      .values({ id, kind: account.kind, seller_id: sellerId, currency })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx.selectFrom('accounts').select('id').where('id', '=', id).forUpdate().execute();
  }

  /** Sellers owed money in some currency (their payable account is in credit). */
  async sellersOwed(): Promise<{ seller_id: string; currency: string }[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .innerJoin('lines', 'lines.account_id', 'accounts.id')
      .select(['accounts.seller_id', 'accounts.currency'])
      .where('accounts.kind', 'in', ['seller_payable', 'seller_reserve'])
      .groupBy(['accounts.seller_id', 'accounts.currency'])
      .having((eb) => eb.fn.sum('lines.amount'), '<', 0)
      .orderBy('accounts.seller_id')
      .execute();
    return rows.map((r) => ({ seller_id: r.seller_id ?? '', currency: r.currency }));
  }

  async insertPayout(
    trx: Db,
    payout: Omit<PayoutRow, 'created_at' | 'updated_at' | 'transfer_id' | 'failure'>,
  ) {
    await trx
      .insertInto('payouts')
      .values({ ...payout, transfer_id: null, failure: null })
      .execute();
  }

  async payoutByKey(db: Db, sellerId: string, key: string): Promise<PayoutRow | undefined> {
    return db
      .selectFrom('payouts')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  async payout(db: Db, id: string, lock = false): Promise<PayoutRow | undefined> {
    return db
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', id)
      .$if(lock, (q) => q.forUpdate())
      .executeTakeFirst();
  }

  async updatePayout(
    db: Db,
    id: string,
    change: { status: PayoutStatus; transfer_id?: string; failure?: string },
  ): Promise<void> {
    await db
      .updateTable('payouts')
      .set({ ...change, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  async openPayouts(limit: number): Promise<PayoutRow[]> {
    return this.db
      .selectFrom('payouts')
      .selectAll()
      .where('status', 'in', ['requested', 'in_transit'])
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  async payoutsOf(sellerId: string, limit: number): Promise<PayoutRow[]> {
    return this.db
      .selectFrom('payouts')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Records a run of `name` if it is due; true for the one caller that did. */
  async claimRun(name: string, periodMs: number): Promise<boolean> {
    const row = await this.db
      .insertInto('schedule')
      .values({ name, last_run_at: sql`now()` })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ last_run_at: sql`now()` })
          .where('schedule.last_run_at', '<=', sql<string>`now() - ${`${periodMs} milliseconds`}::interval`),
      )
      .returning('name')
      .executeTakeFirst();
    return row !== undefined;
  }
}
