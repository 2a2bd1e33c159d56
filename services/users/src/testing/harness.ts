import { createMetricsRegistry, createAccessTokenVerifier, loadConfig, openRedis } from '@emporium/platform';
import {
  buildTestApp,
  silentLogger,
  testBus,
  testCache,
  testDatabase,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createUsersService, type UsersServiceOptions } from '../service.ts';
import { usersSettings } from '../settings.ts';

/**
 * The users service on the test infrastructure (PGlite in memory, or the real PostgreSQL and Redis when
 * their URLs are set), mounted like the root mounts it, with the gateway's token verifier reading its JWKS.
 */
export async function usersHarness(options: UsersServiceOptions & { env?: Record<string, string> } = {}) {
  const db = await testDatabase();
  const cache = await testCache();
  const redis = testUrls.redis ? await openRedis(testUrls.redis) : undefined;
  const bus = await testBus();
  const infra = {
    db,
    cache,
    redis,
    bus,
    deploymentName: 'emporium',
    metrics: createMetricsRegistry(),
    logger: silentLogger(),
    async close() {},
  };
  const config = loadConfig({ ...options.env });
  const built = await createUsersService(
    { config, infra },
    { throttleNamespace: `${uniqueName('throttle')}:`, ...usersSettings({ ...options.env }), ...options },
  );
  const verifier = createAccessTokenVerifier({ jwks: () => built.api.jwks() });
  const app = await buildTestApp([built.module], verifier);
  await built.module.start?.();
  return {
    ...built,
    app,
    db,
    verifier,
    async close() {
      await built.module.stop?.();
      await app.close();
      await bus.close();
      await cache.close();
      redis?.disconnect();
      await db.close();
    },
  };
}

export type UsersHarness = Awaited<ReturnType<typeof usersHarness>>;

export const uniqueEmail = (prefix = 'user') => `${uniqueName(prefix)}@example.com`;
export const GOOD_PASSWORD = 'violet-harbour-7-lantern';
