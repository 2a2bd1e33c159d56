import type { Cache } from '@emporium/platform';
import { counter, gauge } from '@emporium/platform';
import type { Registry } from 'prom-client';

export type CacheKind = 'detail' | 'listing' | 'categories';

const DETAIL = 'catalog:product:';
const LISTING = 'catalog:list:';
const CATEGORIES = 'catalog:categories';

export const cacheKeys = {
  detail: (id: string) => DETAIL + id,
  listing: (query: object) => LISTING + JSON.stringify(query),
  categories: CATEGORIES,
};

/**
 * Cache-aside over the platform cache, with one guarantee the plain cache lacks: once `invalidate`
 * returns, no load that started before it can write its (possibly stale) value back, and no caller
 * joins such a load. Every local write bumps the epoch; a load only stores its value if the epoch it
 * started in is still current. Other processes converge through the catalog events and the TTLs.
 */
export class CatalogCache {
  private epoch = 0;
  private readonly inFlight = new Map<string, { epoch: number; promise: Promise<unknown> }>();
  private readonly lookups;
  private readonly ratio;
  private readonly tally: Record<CacheKind, { hit: number; miss: number }> = {
    detail: { hit: 0, miss: 0 },
    listing: { hit: 0, miss: 0 },
    categories: { hit: 0, miss: 0 },
  };

  constructor(
    private readonly cache: Cache,
    metrics: Registry,
    readonly ttl: { detail: number; listing: number },
  ) {
    this.lookups = counter(metrics, 'emporium_catalog_cache_lookups_total', 'Catalog cache-aside lookups', [
      'cache',
      'result',
    ]);
    this.ratio = gauge(metrics, 'emporium_catalog_cache_hit_ratio', 'Catalog cache hit ratio since start', [
      'cache',
    ]);
  }

  async getOrLoad<T>(
    kind: CacheKind,
    key: string,
    load: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const ttl = kind === 'detail' ? this.ttl.detail : this.ttl.listing;
    if (ttl <= 0) return load();
    const cached = await this.cache.get<T>(key);
    this.count(kind, cached !== undefined);
    if (cached !== undefined) return cached;
    const flight = this.inFlight.get(key);
    if (flight && flight.epoch === this.epoch) return flight.promise as Promise<T | undefined>;
    const epoch = this.epoch;
    const flightOf = { epoch, promise: Promise.resolve<unknown>(undefined) };
    const promise = (async () => {
      try {
        const value = await load();
        if (value !== undefined && epoch === this.epoch) await this.cache.set(key, value, ttl);
        return value;
      } finally {
        if (this.inFlight.get(key) === flightOf) this.inFlight.delete(key);
      }
    })();
    flightOf.promise = promise;
    this.inFlight.set(key, flightOf);
    return promise;
  }

  /** Drops the products' detail entries and every listing and category page. */
  async invalidate(productIds: string[]): Promise<void> {
    this.epoch++;
    for (let i = 0; i < productIds.length; i += 500)
      await this.cache.delete(...productIds.slice(i, i + 500).map(cacheKeys.detail));
    await this.cache.delete(CATEGORIES);
    await this.cache.deletePrefix(LISTING);
  }

  hitRatio(kind: CacheKind): number {
    const t = this.tally[kind];
    return t.hit + t.miss === 0 ? 0 : t.hit / (t.hit + t.miss);
  }

  private count(kind: CacheKind, hit: boolean) {
    this.lookups.inc({ cache: kind, result: hit ? 'hit' : 'miss' });
    this.tally[kind][hit ? 'hit' : 'miss']++;
    this.ratio.set({ cache: kind }, this.hitRatio(kind));
  }
}
