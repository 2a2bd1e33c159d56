// Stock levels kept in process for a few seconds: with the context cached, the batched availability query
// was the one SQL round trip left per request. inventory.stock.changed drops a sku at once (a reservation,
// a sale or a seller's update), so staleness is bounded by the outbox relay's delay, not by the TTL; the
// TTL only covers a lost event. A load that overlapped an event is not kept.
import type { InventoryApi } from '@emporium/inventory';

type Availability = Awaited<ReturnType<InventoryApi['getAvailability']>>;
type Level = Availability[string];

export class StockCache {
  private readonly entries = new Map<string, { level: Level | null; until: number }>();
  private epoch = 0;

  constructor(
    private readonly inventory: Pick<InventoryApi, 'getAvailability'>,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 100_000,
  ) {}

  /** Availability of `skus`, with one batched inventory call for those not cached. */
  async getAvailability(skus: readonly string[]): Promise<Availability> {
    if (this.ttlMs <= 0) return this.inventory.getAvailability([...skus]);
    const now = Date.now();
    const out: Availability = {};
    const missing: string[] = [];
    for (const sku of skus) {
      const hit = this.entries.get(sku);
      if (hit && hit.until > now) {
        if (hit.level) out[sku] = hit.level;
      } else missing.push(sku);
    }
    if (missing.length === 0) return out;
    const epoch = this.epoch;
    const fetched = await this.inventory.getAvailability(missing);
    const keep = epoch === this.epoch;
    for (const sku of missing) {
      const level = fetched[sku];
      if (level) out[sku] = level;
      if (keep) this.remember(sku, level ?? null, now + this.ttlMs);
    }
    return out;
  }

  evict(sku: string): void {
    this.epoch++;
    this.entries.delete(sku);
  }

  private remember(sku: string, level: Level | null, until: number): void {
    this.entries.delete(sku);
    this.entries.set(sku, { level, until });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
