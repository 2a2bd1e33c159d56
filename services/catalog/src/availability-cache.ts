import type { Availability } from './types.ts';

type Loader = (skus: string[]) => Promise<Record<string, Availability>>;

/**
 * A short in-process cache of inventory availability per sku for product pages (ADR 0606). Entries live
 * `ttlMs` at most and are dropped when an `inventory.stock.changed` event arrives or when the catalog
 * itself writes stock. Like `CatalogCache`, a load that overlapped an invalidation does not store its
 * result, so a value read before a change cannot outlive the change's invalidation.
 */
export class AvailabilityCache {
  private epoch = 0;
  private readonly entries = new Map<string, { value: Availability; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  async get(skus: string[], load: Loader): Promise<Record<string, Availability>> {
    if (this.ttlMs <= 0) return load(skus);
    const now = Date.now();
    const found: Record<string, Availability> = {};
    const missing: string[] = [];
    for (const sku of skus) {
      const entry = this.entries.get(sku);
      if (entry && entry.until > now) found[sku] = entry.value;
      else missing.push(sku);
    }
    if (missing.length === 0) return found;
    const epoch = this.epoch;
    const loaded = await load(missing);
    if (epoch === this.epoch) {
      // Crude bound: a full cache starts over rather than tracking recency on every hit.
      if (this.entries.size + missing.length > this.maxEntries) this.entries.clear();
      for (const sku of missing) {
        const value = loaded[sku];
        if (value) this.entries.set(sku, { value, until: now + this.ttlMs });
      }
    }
    return { ...found, ...loaded };
  }

  invalidate(skus: string[]): void {
    this.epoch++;
    for (const sku of skus) this.entries.delete(sku);
  }
}
