import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type RegisteredService } from '@emporium/platform';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { freePort, silentLogger, testUrls, uniqueName } from '@emporium/platform/testing';
import { serviceRegistry } from '../registry.ts';
import { startServer, type RunningServer } from '../server.ts';

export interface TestStore extends RunningServer {
  /** Stops the store and removes its data directory. */
  close(): Promise<void>;
}

/**
 * A store composed exactly as `npm start` composes it (the real registry, the real server), on the test
 * infrastructure: the real PostgreSQL, Redis and NATS when their URLs are set, the embedded ones
 * otherwise. `env` picks the deployment shape (SERVICES, SERVICE_URL_*, SERVICE_KEY, INTERNAL_PORT...).
 */
export async function startTestStore(
  env: Record<string, string> = {},
  registry: RegisteredService[] = serviceRegistry,
  options: { ownDatabase?: boolean } = {},
): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'emporium-test-'));
  const own = options.ownDatabase ? await ownDatabase() : undefined;
  const port = await freePort();
  const card = env.PAYMENTS_GATEWAY_URL ? undefined : await cardGateway(port);
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED_DEMO_DATA: 'false',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '10000000',
    // Each store starts its own payment sandbox; stores side by side must not fight over one port.
    PAYMENTS_SANDBOX_PORT: String(await freePort()),
    ...(testUrls.database ? { DATABASE_URL: own?.url ?? testUrls.database } : {}),
    // A store of its own database is a deployment of its own: its events must not reach the others.
    ...(own ? { DEPLOYMENT_NAME: own.deployment } : {}),
    ...(testUrls.redis ? { REDIS_URL: testUrls.redis } : {}),
    ...(testUrls.nats ? { NATS_URL: testUrls.nats } : {}),
    ...card?.env,
    ...env,
  });
  const server = await startServer(config, silentLogger(), registry);
  return {
    ...server,
    async close() {
      await server.close();
      await card?.sandbox.close();
      await own?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A database of the suite's own on the test server, for a suite that compares whole schemas before and
 * after: on a shared database, suites running beside it change the same tables. Undefined on PGlite,
 * where every store has its own files anyway.
 */
async function ownDatabase(): Promise<
  { url: string; deployment: string; drop(): Promise<void> } | undefined
> {
  if (!testUrls.database) return undefined;
  const name = uniqueName('emporium_own');
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testUrls.database });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(testUrls.database);
  url.pathname = `/${name}`;
  // Without `force`: cutting a connection the store still holds would surface as its pool's error.
  const drop = async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        return await admin(`drop database if exists ${name}`);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  return { url: url.toString(), deployment: name.replaceAll('_', '-'), drop };
}

/**
 * On the real database the server starts no payment sandbox of its own (ADR 0701): the suite gets one,
 * with credentials of its own, sending its webhooks to the store's port.
 */
async function cardGateway(
  storePort: number,
): Promise<{ sandbox: PaymentSandbox; env: Record<string, string> } | undefined> {
  if (!testUrls.database) return undefined;
  const credentials = newSandboxCredentials();
  const sandbox = createPaymentSandbox({
    logger: false,
    apiKey: credentials.apiKey,
    webhookSecret: credentials.webhookSecret,
    webhookUrl: `http://127.0.0.1:${storePort}/api/v1/webhooks/payments`,
  });
  const url = await sandbox.listen(0);
  return {
    sandbox,
    env: {
      PAYMENTS_GATEWAY_URL: url,
      PAYMENTS_GATEWAY_API_KEY: credentials.apiKey,
      PAYMENTS_WEBHOOK_SECRET: credentials.webhookSecret,
    },
  };
}
