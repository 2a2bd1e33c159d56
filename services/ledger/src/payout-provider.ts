import { sql, type Generated, type Kysely } from 'kysely';
import { AppError, newId, type Money, type SqlDatabase } from '@emporium/platform';

/** A bank transfer to a seller, as the payout provider reports it. */
export interface Transfer {
  id: string;
  status: 'pending' | 'paid' | 'failed';
  amount: Money;
  failureReason?: string;
}

export interface TransferRequest {
  /** The same key gets the same transfer: a call whose answer was lost is repeated safely. */
  idempotencyKey: string;
  /** Who is paid: the seller's id (the provider holds its bank details). */
  destination: string;
  amount: Money;
}

/**
 * The bank side of payouts (ADR 1013): a strategy, chosen where the ledger is built. A transfer is
 * accepted at once and settles (or fails, e.g. a closed account) later; the ledger asks for its status.
 */
export interface PayoutProvider {
  createTransfer(request: TransferRequest): Promise<Transfer>;
  getTransfer(id: string): Promise<Transfer | undefined>;
}

interface SandboxDB {
  transfers: {
    id: string;
    idempotency_key: string;
    destination: string;
    amount: number;
    currency: string;
    settle_at: string;
    created_at: Generated<string>;
  };
  closed_accounts: { destination: string };
}

const SCHEMA = 'payouts_sandbox';
const migration = {
  id: '0001_transfers',
  sql: `
    create table transfers (
      id text primary key,
      idempotency_key text not null unique,
      destination text not null,
      amount bigint not null check (amount > 0),
      currency text not null,
      settle_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create table closed_accounts (destination text primary key);
  `,
};

/**
 * A bank transfer API in the process, with the behaviour a real one has: idempotency keys (the same key
 * with another body is refused), settlement after a delay, and transfers to a closed account that fail
 * when they would have settled. Its records live in a schema of their own, standing for the bank's, so
 * they outlive a restart of the store as the bank's would.
 */
export class SandboxPayoutProvider implements PayoutProvider {
  private constructor(
    private readonly db: Kysely<SandboxDB>,
    private readonly settleMs: number,
  ) {}

  static async open(database: SqlDatabase, options: { settleMs: number }): Promise<SandboxPayoutProvider> {
    await database.migrate(SCHEMA, [migration]);
    return new SandboxPayoutProvider(database.forSchema<SandboxDB>(SCHEMA), options.settleMs);
  }

  async createTransfer(request: TransferRequest): Promise<Transfer> {
    if (!Number.isInteger(request.amount.amount) || request.amount.amount < 1)
      throw new AppError('Validation', 'A transfer is a whole number of minor units from 1');
    await this.db
      .insertInto('transfers')
      .values({
        id: `tr_${newId().replace(/-/g, '')}`,
        idempotency_key: request.idempotencyKey,
        destination: request.destination,
        amount: request.amount.amount,
        currency: request.amount.currency,
        settle_at: sql<string>`now() + ${`${this.settleMs} milliseconds`}::interval`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('transfers')
      .selectAll()
      .where('idempotency_key', '=', request.idempotencyKey)
      .executeTakeFirstOrThrow();
    if (
      row.destination !== request.destination ||
      Number(row.amount) !== request.amount.amount ||
      row.currency !== request.amount.currency
    )
      throw new AppError('Unprocessable', 'This idempotency key was used for another transfer');
    return (await this.getTransfer(row.id))!;
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const row = await this.db
      .selectFrom('transfers')
      .leftJoin('closed_accounts', 'closed_accounts.destination', 'transfers.destination')
      .select([
        'transfers.id',
        'transfers.amount',
        'transfers.currency',
        'closed_accounts.destination as closed',
        sql<boolean>`transfers.settle_at <= now()`.as('due'),
      ])
      .where('transfers.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const amount = { amount: Number(row.amount), currency: row.currency };
    if (!row.due) return { id: row.id, status: 'pending', amount };
    if (row.closed) return { id: row.id, status: 'failed', amount, failureReason: 'account_closed' };
    return { id: row.id, status: 'paid', amount };
  }

  /** The seller's bank account is closed: transfers that have not settled yet fail. */
  async closeAccount(destination: string): Promise<void> {
    await this.db
      .insertInto('closed_accounts')
      .values({ destination })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
