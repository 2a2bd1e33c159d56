import { LRUCache } from 'lru-cache';
import { Redis } from 'ioredis';

/**
 * A string-keyed cache of JSON values with TTLs. `getOrLoad` is single-flight per process: while a cold
 * key is being loaded, every other caller awaits the same load, so a cold key under load reaches the
 * database once.
 */
export interface Cache {
  readonly backend: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Deletes every key that starts with the prefix. */
  deletePrefix(prefix: string): Promise<void>;
  getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

abstract class SingleFlightCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;

  async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const loading = (async () => {
      try {
        const value = await load();
        if (value !== undefined) await this.set(key, value, ttlSeconds);
        return value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, loading);
    return loading;
  }
}

export class MemoryCache extends SingleFlightCache implements Cache {
  readonly backend = 'memory';
  // Values are stored serialised so a caller can never mutate what the next caller reads.
  private readonly lru: LRUCache<string, string>;

  constructor(maxEntries = 50_000) {
    super();
    this.lru = new LRUCache<string, string>({ max: maxEntries });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.lru.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    this.lru.set(key, JSON.stringify(value), { ttl: Math.max(1, ttlSeconds) * 1000 });
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.lru.delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.lru.clear();
  }
}

export class RedisCache extends SingleFlightCache implements Cache {
  readonly backend = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly namespace = 'emporium:',
  ) {
    super();
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.namespace + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.namespace + key, JSON.stringify(value), 'EX', Math.max(1, ttlSeconds));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys.map((k) => this.namespace + k));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const stream = this.redis.scanStream({ match: `${this.namespace}${prefix}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await this.redis.del(...keys);
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

export async function openRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot connect to REDIS_URL: ${(error as Error).message}`);
  }
  return redis;
}

export async function openCache(redisUrl: string | undefined, namespace?: string): Promise<Cache> {
  return redisUrl ? new RedisCache(await openRedis(redisUrl), namespace) : new MemoryCache();
}
