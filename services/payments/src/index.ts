import { resolve } from 'node:path';
import { defineService } from '@emporium/platform';
import type { PaymentsApi } from './types.ts';
import { createPaymentsService } from './service.ts';
import { PaymentsHttpClient } from './client.ts';
import { paymentConfigFromEnv, paymentSettings } from './settings.ts';
import { startPaymentSandbox } from './embedded-sandbox.ts';
export type {
  AuthorizeRequest,
  IntentStatus,
  Money,
  PaymentIntent,
  PaymentsApi,
  PaymentUpdatedEvent,
} from './types.ts';
export { PAYMENT_UPDATED, PaymentUpdated } from './types.ts';
export { verifyWebhookSignature, SIGNATURE_HEADER, type SignatureCheck } from './signature.ts';
export type { PaymentGateway, GatewayAuthorization } from './gateway.ts';
export { createPaymentsService } from './service.ts';
export { PaymentsHttpClient } from './client.ts';
export {
  paymentConfigFromEnv,
  paymentSettings,
  DEFAULT_SANDBOX_PORT,
  type PaymentConfig,
  type PaymentSettings,
} from './settings.ts';
export { startPaymentSandbox, type RunningSandbox } from './embedded-sandbox.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    payments: PaymentsApi;
  }
}

export const paymentsService = defineService({
  name: 'payments',
  needs: {},
  publicPaths: ['/webhooks/payments'],
  settings: (env) => paymentSettings(paymentConfigFromEnv(env)),
  create: (ctx) => createPaymentsService(ctx, ctx.settings),
  client: (url, options) => new PaymentsHttpClient(url, options),
  // The one-process store on embedded defaults brings its own card gateway (ADR 0701).
  embedded: async (settings, config) => {
    if (config.databaseUrl || !settings.embeddedSandbox) return undefined;
    const webhookUrl = `http://127.0.0.1:${config.port}/api/v1/webhooks/payments`;
    // In the store's data directory, so a restart of the store keeps its paid orders refundable.
    const stateFile = resolve(config.dataDir, 'payment-sandbox', 'state.json');
    return startPaymentSandbox(settings, webhookUrl, { logLevel: config.logLevel, stateFile });
  },
});
