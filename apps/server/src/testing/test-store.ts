import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RegisteredService } from '@emporium/platform';
import { freePort, silentLogger, testUrls } from '@emporium/platform/testing';
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
): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'emporium-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO_DATA: 'false',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '10000000',
    // Each store starts its own payment sandbox; stores side by side must not fight over one port.
    PAYMENTS_SANDBOX_PORT: String(await freePort()),
    ...(testUrls.database ? { DATABASE_URL: testUrls.database } : {}),
    ...(testUrls.redis ? { REDIS_URL: testUrls.redis } : {}),
    ...(testUrls.nats ? { NATS_URL: testUrls.nats } : {}),
    ...env,
  });
  const server = await startServer(config, silentLogger(), registry);
  return {
    ...server,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
