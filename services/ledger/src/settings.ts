import { envInteger, type Env } from '@emporium/platform';

/** The ledger's own variables (ADR 1012, 1013). */
export interface LedgerSettings {
  /** LEDGER_RESERVE_BPS, default 1000 (10 %): share of the recent net sales held back for returns. */
  reserveBps: number;
  /** LEDGER_RESERVE_DAYS, default 30: how long a sale counts towards the reserve. */
  reserveDays: number;
  /** LEDGER_PAYOUT_PERIOD_HOURS, default 168 (weekly): time between two scheduled payouts to everyone. */
  payoutPeriodHours: number;
  /** LEDGER_PAYOUT_CHECK_MS, default 60000: how often the payout job looks for work (0: never). */
  payoutCheckMs: number;
  /** LEDGER_PAYOUT_SETTLE_MS, default 60000: how long the sandbox bank takes to settle a transfer. */
  sandboxSettleMs: number;
}

export function ledgerSettings(env: Env): LedgerSettings {
  return {
    reserveBps: envInteger(env, 'LEDGER_RESERVE_BPS', 1_000, 0, 10_000),
    reserveDays: envInteger(env, 'LEDGER_RESERVE_DAYS', 30, 0, 365),
    payoutPeriodHours: envInteger(env, 'LEDGER_PAYOUT_PERIOD_HOURS', 168, 1, 24 * 366),
    payoutCheckMs: envInteger(env, 'LEDGER_PAYOUT_CHECK_MS', 60_000, 0, 24 * 3_600_000),
    sandboxSettleMs: envInteger(env, 'LEDGER_PAYOUT_SETTLE_MS', 60_000, 0, 30 * 24 * 3_600_000),
  };
}
