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
  cacheNamespace?: string;
}

export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const db = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    inMemory: options.inMemoryDatabase ?? false,
  });
  const redis = options.redisUrl ? await openRedis(options.redisUrl) : undefined;
  const cache = redis ? new RedisCache(redis, options.cacheNamespace) : new MemoryCache();
  const bus: EventBus = options.natsUrl
    ? await JetStreamEventBus.connect(options.natsUrl, {
        onHandlerError: (err, event) =>
          options.logger.warn({ err, eventId: event.id }, 'event handler failed'),
      })
    : new InProcessEventBus();
  return {
    db,
    cache,
    redis,
    bus,
    metrics: createMetricsRegistry(),
    logger: options.logger,
    async close() {
      await bus.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await db.close();
    },
  };
}
