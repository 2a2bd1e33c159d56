/**
 * Test infrastructure: the real PostgreSQL, Redis and NATS servers when their URLs are set (CI), the
 * embedded implementations otherwise, never a mock. `EMPORIUM_EMBEDDED=1` forces the embedded ones, so CI
 * runs the platform suites on both. Each call gets its own schema, cache namespace and stream, so suites
 * can run in parallel against one server.
 */
import pino from 'pino';
import type { ServiceModule } from './service.ts';
import type { AccessTokenVerifier } from './auth.ts';
import type { Infrastructure } from './infrastructure.ts';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { openDatabase, type SqlDatabase } from './sql/database.ts';
import { MemoryCache, RedisCache, openRedis, type Cache } from './cache/cache.ts';
import { InProcessEventBus, type EventBus } from './events/bus.ts';
import { JetStreamEventBus, type JetStreamOptions } from './events/jetstream-bus.ts';
import { ServiceTokens } from './service-auth.ts';

const embedded = process.env.EMPORIUM_EMBEDDED === '1';
export const testUrls = {
  database: embedded ? undefined : process.env.DATABASE_URL || undefined,
  redis: embedded ? undefined : process.env.REDIS_URL || undefined,
  nats: embedded ? undefined : process.env.NATS_URL || undefined,
};

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

export const silentLogger = () => pino({ level: 'silent' });

/** A TCP port free at the time of asking, for a server a test starts beside others. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A database for one suite; on PostgreSQL, `dropSchemas` removes what the suite created. */
export async function testDatabase(): Promise<
  SqlDatabase & { dropSchemas(...schemas: string[]): Promise<void> }
> {
  const db = await openDatabase({ databaseUrl: testUrls.database, dataDir: '', inMemory: true, poolSize: 5 });
  return Object.assign(db, {
    async dropSchemas(...schemas: string[]) {
      for (const schema of schemas)
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db.forSchema(schema));
    },
  });
}

export async function testCache(): Promise<Cache> {
  return testUrls.redis
    ? new RedisCache(await openRedis(testUrls.redis), `${uniqueName('test')}:`)
    : new MemoryCache();
}

export async function testBus(options: JetStreamOptions = {}): Promise<EventBus> {
  if (!testUrls.nats) return new InProcessEventBus();
  const stream = uniqueName('TEST').toUpperCase();
  return JetStreamEventBus.connect(testUrls.nats, {
    stream,
    subjectPrefix: `${stream.toLowerCase()}.`,
    deleteStreamOnClose: true,
    ...options,
  });
}

/**
 * A signing key standing in for the users service in other services' tests: real EdDSA tokens, verified
 * by the same verifier the gateway uses.
 */
export async function testTokens() {
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
  const { createAccessTokenVerifier, ACCESS_TOKEN } = await import('./auth.ts');
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = uniqueName('test-key');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const verifier = createAccessTokenVerifier({ jwks: async () => ({ keys: [jwk] }) });
  const tokenFor = (user: { id: string; role: 'customer' | 'seller' | 'admin' }) =>
    new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN.ttlSeconds}s`)
      .sign(privateKey);
  return { verifier, tokenFor };
}

/** Signs and checks service tokens in a suite's test apps, as one deployment's SERVICE_KEY does. */
export const testServiceTokens = new ServiceTokens(randomBytes(32).toString('hex'), ['test']);

/**
 * An HTTP app with the given services mounted as a service process mounts them (public and internal
 * routes; the internal ones take `testServiceTokens`).
 */
export async function buildTestApp(modules: ServiceModule[], verifier: AccessTokenVerifier) {
  const { createHttpServer } = await import('./http/server.ts');
  const { createMetricsRegistry } = await import('./http/metrics.ts');
  const { registerAuthHook } = await import('./http/auth-hook.ts');
  const { mountService } = await import('./http/mount.ts');
  const app = createHttpServer({ name: 'test', logLevel: 'silent', metrics: createMetricsRegistry() });
  registerAuthHook(app, verifier, testServiceTokens);
  for (const module of modules) await mountService(app, module);
  await app.ready();
  return app;
}

/**
 * Runs the modules' declared jobs as the composition root does, with the lease table in a schema of the
 * suite's own: suites sharing a server would otherwise take turns at each other's jobs. `stop` drops it.
 */
export async function startJobs(modules: ServiceModule[], infra: Pick<Infrastructure, 'db' | 'logger'>) {
  const { JobScheduler } = await import('./jobs/scheduler.ts');
  const schema = uniqueName('t_jobs');
  const scheduler = new JobScheduler({ db: infra.db, logger: infra.logger, schema });
  await scheduler.start(modules.flatMap((m) => m.jobs ?? []));
  return {
    scheduler,
    async stop() {
      await scheduler.stop();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(infra.db.forSchema(schema));
    },
  };
}

/**
 * Infrastructure for a suite that builds services directly: the test database and cache (real servers when
 * their URLs are set) with the in-process bus, so events are handled before the relay marks them published.
 * Pass `bus` (e.g. `await testBus()`) to run the suite's events over JetStream when NATS_URL is set.
 */
export async function testInfrastructure(overrides: { bus?: EventBus } = {}): Promise<Infrastructure> {
  const { createMetricsRegistry } = await import('./http/metrics.ts');
  const db = await testDatabase();
  const cache = await testCache();
  const bus = overrides.bus ?? new InProcessEventBus();
  return {
    db,
    cache,
    redis: undefined,
    deploymentName: 'emporium',
    bus,
    metrics: createMetricsRegistry(),
    logger: silentLogger(),
    close: async () => {
      await bus.close();
      await cache.close();
      await db.close();
    },
  };
}
