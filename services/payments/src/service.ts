import { Type } from 'typebox';
import {
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  type HttpServer,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { SandboxGateway, type PaymentGateway } from './gateway.ts';
import { Payments } from './payments.ts';
import type { PaymentSettings } from './settings.ts';
import { PaymentsStore, type PaymentsDB } from './store.ts';
import { webhookRoutes } from './webhook.ts';
import { PaymentIntentSchema } from './types.ts';

const Intent = PaymentIntentSchema;
const OrderParams = Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 100 }) });

function internalRoutes(payments: Payments) {
  return async (app: HttpServer) => {
    const schema = { hide: true, tags: ['payments'] };
    app.post(
      '/authorize',
      {
        schema: {
          ...schema,
          body: Type.Object({
            orderId: Type.String(),
            customerId: Type.String(),
            amount: Type.Object({ amount: Type.Integer({ minimum: 1 }), currency: Type.String() }),
            token: Type.String({ minLength: 1, maxLength: 200 }),
          }),
          response: { 200: Intent },
        },
      },
      async (request) => payments.authorize(request.body),
    );
    app.post(
      '/orders/:orderId/capture',
      { schema: { ...schema, params: OrderParams, response: { 200: Intent } } },
      async (r) => payments.capture(r.params.orderId),
    );
    app.post(
      '/orders/:orderId/refund',
      { schema: { ...schema, params: OrderParams, response: { 200: Intent } } },
      async (r) => payments.refund(r.params.orderId),
    );
    const maybe = { 200: Type.Object({ intent: Type.Optional(Intent) }) };
    app.post(
      '/orders/:orderId/cancel',
      { schema: { ...schema, params: OrderParams, response: maybe } },
      async (r) => ({
        intent: await payments.cancel(r.params.orderId),
      }),
    );
    app.get(
      '/orders/:orderId',
      { schema: { ...schema, params: OrderParams, response: maybe } },
      async (r) => ({
        intent: await payments.getIntent(r.params.orderId),
      }),
    );
  };
}

export async function createPaymentsService(
  ctx: ServiceContext,
  settings: PaymentSettings,
  options: { gateway?: PaymentGateway } = {},
): Promise<{ module: ServiceModule; api: Payments }> {
  const { infra } = ctx;
  await infra.db.migrate('payments', [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const db = infra.db.forSchema<PaymentsDB>('payments');
  const relay = new OutboxRelay(db, infra.bus, { logger: infra.logger });
  const gateway =
    options.gateway ??
    new SandboxGateway({
      baseUrl: settings.gatewayUrl,
      apiKey: settings.apiKey,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
      onRetry: (operation, reason) =>
        infra.logger.warn({ operation, reason }, 'retrying payment gateway call'),
    });
  const payments = new Payments(new PaymentsStore(db), gateway, relay, infra.logger);
  const webhook = webhookRoutes(payments, {
    secret: settings.webhookSecret,
    toleranceSeconds: settings.toleranceSeconds,
  });
  const module: ServiceModule = {
    name: 'payments',
    routes: async (app) => {
      await app.register(async (scope) => webhook(scope as HttpServer));
    },
    internalRoutes: internalRoutes(payments),
    async start() {
      relay.start();
    },
    async stop() {
      await relay.stop();
    },
  };
  return { module, api: payments };
}
