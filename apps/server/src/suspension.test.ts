/**
 * Issue 19, item 4: a suspended account's unexpired access token is refused on every route at once, not
 * only on /me and refresh, and works again once the account is reinstated (ADR 0509). One process here;
 * gateway-process.test.ts runs the same check through a gateway in front of the services.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '@emporium/platform';
import { freePort, silentLogger, testUrls } from '@emporium/platform/testing';
import { startServer, type RunningServer } from './server.ts';
import { expectSuspensionAtOnce, SUSPENSION_ADMIN } from './testing/suspension.ts';

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'emporium-suspension-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO_DATA: 'false',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: SUSPENSION_ADMIN.email,
    ADMIN_PASSWORD: SUSPENSION_ADMIN.password,
    PAYMENTS_SANDBOX_PORT: String(await freePort()),
    ...(testUrls.database ? { DATABASE_URL: testUrls.database } : {}),
    ...(testUrls.redis ? { REDIS_URL: testUrls.redis } : {}),
    ...(testUrls.nats ? { NATS_URL: testUrls.nats } : {}),
  });
  server = await startServer(config, silentLogger());
}, 180_000);

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('suspension', () => {
  it("refuses a suspended customer's token on checkout, cart and /me at once, and lets it in once reinstated", async () => {
    await expectSuspensionAtOnce(server);
  });
});
