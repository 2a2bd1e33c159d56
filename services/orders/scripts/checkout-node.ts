// One process serving inventory, cart, payments and orders on a real PostgreSQL: the flash-sale test and
// the checkout benchmark start two of these. Prints "READY <url>" when listening.
//   DATABASE_URL, PAYMENTS_GATEWAY_URL, PAYMENTS_GATEWAY_API_KEY, PAYMENTS_WEBHOOK_SECRET (validated as
//   by the server), CHECKOUT_FIXTURE (JSON file of catalog variants), CHECKOUT_JWKS (JSON key set that
//   verifies access tokens), SERVICE_KEY (signs internal calls), PORT (default 0)
import pino from 'pino';
import type { JSONWebKeySet } from 'jose';
import {
  closeGracefully,
  createAccessTokenVerifier,
  createHttpServer,
  JobScheduler,
  mountService,
  openInfrastructure,
  registerAuthHook,
  ServiceTokens,
} from '@emporium/platform';
import { paymentConfigFromEnv } from '@emporium/payments';
import { buildCheckoutStack, CatalogFixture } from './stack.ts';

const env = process.env;
const logger = pino({ level: env.LOG_LEVEL ?? 'warn' });
const infra = await openInfrastructure({
  databaseUrl: env.DATABASE_URL,
  redisUrl: env.REDIS_URL,
  natsUrl: undefined,
  dataDir: '',
  logger,
  inMemoryDatabase: true,
});
const payments = paymentConfigFromEnv(env);
const stack = await buildCheckoutStack(infra, {
  gatewayUrl: payments.gatewayUrl ?? `http://127.0.0.1:${payments.sandboxPort}`,
  apiKey: payments.gatewayApiKey,
  webhookSecret: payments.webhookSecret,
  catalog: new CatalogFixture(env.CHECKOUT_FIXTURE),
  orders: { recoveryIntervalMs: 2_000 },
  gatewayTimeoutMs: 5_000,
});
const jwks = JSON.parse(env.CHECKOUT_JWKS ?? '{"keys":[]}') as JSONWebKeySet;
const app = createHttpServer({ name: 'checkout-node', logLevel: 'warn', metrics: infra.metrics });
const serviceTokens = env.SERVICE_KEY ? new ServiceTokens(env.SERVICE_KEY, ['checkout-node']) : undefined;
registerAuthHook(app, createAccessTokenVerifier({ jwks: async () => jwks }), serviceTokens);
for (const module of stack.modules) await mountService(app, module);
for (const module of stack.modules) await module.start?.();
// Several nodes share one database: the checkout recovery runs in one of them at a time, as in production.
const jobs = new JobScheduler({ db: infra.db, logger });
await jobs.start(stack.modules.flatMap((m) => m.jobs ?? []));
const url = await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`READY ${url}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await jobs.stop();
    await closeGracefully(app, 2_000);
    for (const module of [...stack.modules].reverse()) await module.stop?.();
    await infra.close();
    process.exit(0);
  })();
});
