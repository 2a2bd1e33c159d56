import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { openDatabase, type SqlDatabase } from './sql/database.ts';
import { MemoryCache, RedisCache, openRedis, type Cache } from './cache/cache.ts';
import type { Redis } from 'ioredis';
import { InProcessEventBus, type EventBus } from './events/bus.ts';
import { JetStreamEventBus } from './events/jetstream-bus.ts';
import { createMetricsRegistry } from './http/metrics.ts';

/** The infrastructure handles a service is built from; the composition root owns their lifecycle. */
export interface Infrastructure {
  db: SqlDatabase;
  cache: Cache;
  /** The Redis connection behind the cache, for what needs Redis itself (shared rate-limit counters). */
  redis: Redis | undefined;
  bus: EventBus;
  /** DEPLOYMENT_NAME: what this store's keys on a shared Redis start with (`<name>:`). */
  deploymentName: string;
  metrics: Registry;
  logger: Logger;
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  inMemoryDatabase?: boolean;
  /** Namespaces the cache keys and the JetStream stream; `emporium` when not given (ADR 0010). */
  deploymentName?: string;
}

/** The stream and subject prefix of one deployment: `emporium` keeps the names of older releases. */
export const jetStreamNames = (deploymentName: string) => ({
  stream: deploymentName.toUpperCase(),
  subjectPrefix: `${deploymentName}.`,
});

export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const db = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    inMemory: options.inMemoryDatabase ?? false,
  });
  const deploymentName = options.deploymentName ?? 'emporium';
  const redis = options.redisUrl ? await openRedis(options.redisUrl) : undefined;
  const cache = redis ? new RedisCache(redis, `${deploymentName}:`) : new MemoryCache();
  const bus: EventBus = options.natsUrl
    ? await JetStreamEventBus.connect(options.natsUrl, {
        ...jetStreamNames(deploymentName),
        onHandlerError: (err, event) =>
          options.logger.warn({ err, eventId: event.id }, 'event handler failed'),
      })
    : new InProcessEventBus();
  return {
    db,
    cache,
    redis,
    bus,
    deploymentName,
    metrics: createMetricsRegistry(),
    logger: options.logger,
    async close() {
      await bus.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await db.close();
    },
  };
}
