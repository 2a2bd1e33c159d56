// Hydrated product summaries kept in process between requests: the catalog's getProducts is the costliest
// step of serving. Catalog events evict a product at once, and the TTL bounds what a missed event can cost.
import type { CatalogApi, ProductSummary } from '@emporium/catalog';
import { isId } from '@emporium/platform';

export class ProductCache {
  private readonly entries = new Map<string, { product: ProductSummary | null; until: number }>();

  constructor(
    private readonly catalog: Pick<CatalogApi, 'getProducts'>,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 50_000,
  ) {}

  /**
   * The products among `ids` the catalog knows, with one batched call for those not cached. A string
   * that is not an id names no product and is never sent: the catalog would refuse the whole batch, and
   * one bad signal in the log (or the model trained on it) would then fail every request that meets it.
   */
  async get(ids: readonly string[]): Promise<Map<string, ProductSummary>> {
    const now = Date.now();
    const out = new Map<string, ProductSummary>();
    const missing: string[] = [];
    for (const id of ids) {
      if (!isId(id)) continue;
      const hit = this.entries.get(id);
      if (hit && hit.until > now) {
        if (hit.product) out.set(id, hit.product);
      } else missing.push(id);
    }
    if (missing.length === 0 || this.ttlMs <= 0) {
      if (this.ttlMs <= 0 && missing.length > 0)
        for (const p of await this.catalog.getProducts(missing)) out.set(p.id, p);
      return out;
    }
    const fetched = new Map((await this.catalog.getProducts(missing)).map((p) => [p.id, p]));
    for (const id of missing) {
      const product = fetched.get(id) ?? null;
      if (product) out.set(id, product);
      this.remember(id, product, now + this.ttlMs);
    }
    return out;
  }

  evict(id: string): void {
    this.entries.delete(id);
  }

  private remember(id: string, product: ProductSummary | null, until: number): void {
    this.entries.delete(id);
    this.entries.set(id, { product, until });
    // Map keeps insertion order: the first key is the least recently stored
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
