import { Type } from 'typebox';
import {
  eventTablesMigration,
  loadMigrations,
  type HttpServer,
  type JobDefinition,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { CommissionRules } from './commission.ts';
import { subscribeLedger } from './consumers.ts';
import type { LedgerDeps } from './deps.ts';
import { Ledger } from './ledger.ts';
import { SandboxPayoutProvider, type PayoutProvider } from './payout-provider.ts';
import { Payouts } from './payouts.ts';
import { adminRoutes, sellerRoutes } from './routes.ts';
import type { LedgerSettings } from './settings.ts';
import { LedgerStore, type LedgerDB } from './store.ts';
import type { LedgerApi } from './types.ts';

export interface LedgerServiceOptions {
  /** The bank side of payouts; by default the sandbox bank (ADR 1013). */
  provider?: PayoutProvider;
}

function internalRoutes(ledger: Ledger) {
  return async (app: HttpServer) => {
    app.get(
      '/sellers/:sellerId/balances',
      {
        schema: {
          hide: true,
          tags: ['ledger'],
          params: Type.Object({ sellerId: Type.String({ minLength: 1, maxLength: 100 }) }),
        },
      },
      async (request) => ({ balances: await ledger.balances(request.params.sellerId) }),
    );
  };
}

export async function createLedgerService(
  ctx: ServiceContext,
  deps: LedgerDeps,
  settings: LedgerSettings,
  options: LedgerServiceOptions = {},
): Promise<{
  module: ServiceModule;
  api: LedgerApi;
  ledger: Ledger;
  rules: CommissionRules;
  payouts: Payouts;
  provider: PayoutProvider;
}> {
  const { infra } = ctx;
  await infra.db.migrate('ledger', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const store = new LedgerStore(infra.db.forSchema<LedgerDB>('ledger'));
  const ledger = new Ledger(store, { bps: settings.reserveBps, days: settings.reserveDays });
  const rules = new CommissionRules(store);
  const provider =
    options.provider ?? (await SandboxPayoutProvider.open(infra.db, { settleMs: settings.sandboxSettleMs }));
  const payouts = new Payouts(store, ledger, provider, infra.logger, settings.payoutPeriodHours * 3_600_000);
  // Subscribed while the services are built, before any relay starts: the in-process bus delivers only
  // to consumers present when an event is published.
  const subscriptions = await subscribeLedger(infra.bus, { ledger, rules, deps }, infra.logger);
  // Exclusive: one process sends payouts at a time, under the job's lease (ADR 0006).
  const payoutJob: JobDefinition = {
    name: 'ledger.payouts',
    everyMs: settings.payoutCheckMs,
    run: () => payouts.run(),
  };
  const module: ServiceModule = {
    name: 'ledger',
    routes: async (app) => {
      await sellerRoutes(ledger, payouts)(app);
      await adminRoutes(ledger, rules, payouts)(app);
    },
    internalRoutes: internalRoutes(ledger),
    jobs: [payoutJob],
    async stop() {
      await subscriptions.stop();
    },
  };
  const api: LedgerApi = { balances: (sellerId) => ledger.balances(sellerId) };
  return { module, api, ledger, rules, payouts, provider };
}
