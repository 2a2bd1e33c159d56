import { defineService, requires } from '@emporium/platform';
import type {} from '@emporium/catalog';
import type {} from '@emporium/orders';
import type { LedgerApi } from './types.ts';
import { createLedgerService } from './service.ts';
import { LedgerHttpClient } from './client.ts';
import { ledgerSettings } from './settings.ts';
export type {
  AccountKind,
  CommissionRule,
  LedgerApi,
  Payout,
  PayoutStatus,
  PostingKind,
  SellerBalance,
  StatementEntry,
} from './types.ts';
export type { PayoutProvider, Transfer, TransferRequest } from './payout-provider.ts';
export { SandboxPayoutProvider } from './payout-provider.ts';
export { createLedgerService, type LedgerServiceOptions } from './service.ts';
export { ledgerSettings, type LedgerSettings } from './settings.ts';
export { LedgerHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    ledger: LedgerApi;
  }
}

export const ledgerService = defineService({
  name: 'ledger',
  needs: { orders: requires('orders'), catalog: requires('catalog') },
  publicPaths: [
    '/seller/ledger',
    '/seller/statements',
    '/seller/payouts',
    '/admin/commission-rules',
    '/admin/ledger',
    '/admin/payouts',
  ],
  settings: (env) => ledgerSettings(env),
  create: async (ctx, deps) => {
    const { module, api } = await createLedgerService(ctx, deps, ctx.settings);
    return { module, api };
  },
  client: (url, options) => new LedgerHttpClient(url, options),
});
