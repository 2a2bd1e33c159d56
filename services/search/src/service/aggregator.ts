/**
 * Results aggregator: the index answers with ids (and what it knew when it indexed them); the page's
 * products are hydrated from the catalog and their stock from inventory, one batched call each, so a
 * page shows current titles, prices and availability. What has gone since indexing (deleted,
 * archived, drafted) is dropped from the page.
 */
import type { CatalogApi, ProductSummary } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';
import type { SearchHit } from '../types.ts';

export interface HydratedItem {
  id: string;
  title: string;
  brand: string | null;
  price: { amount: number; currency: string } | null;
  image: string | null;
  rating: number | null;
  inStock: boolean | null;
}

export interface Hydrated {
  items: HydratedItem[];
  /** Hits dropped because the catalog no longer offers them. */
  dropped: number;
}

export class ResultsAggregator {
  constructor(
    private readonly catalog: Pick<CatalogApi, 'getProducts'>,
    private readonly inventory: Pick<InventoryApi, 'getAvailability'>,
  ) {}

  async hydrate(hits: SearchHit[]): Promise<Hydrated> {
    if (hits.length === 0) return { items: [], dropped: 0 };
    const products = await this.catalog.getProducts(hits.map((h) => h.id));
    const byId = new Map(products.filter((p) => p.status === 'active').map((p) => [p.id, p]));
    const skus = [...byId.values()].flatMap((p) => p.skus);
    const availability = skus.length > 0 ? await this.inventory.getAvailability(skus) : {};
    const items: HydratedItem[] = [];
    for (const hit of hits) {
      const product = byId.get(hit.id);
      if (product) items.push(toItem(product, availability));
    }
    return { items, dropped: hits.length - items.length };
  }
}

function toItem(p: ProductSummary, availability: Record<string, { inStock: boolean }>): HydratedItem {
  const known = p.skus.map((s) => availability[s]).filter((a) => a !== undefined);
  return {
    id: p.id,
    title: p.title,
    brand: p.brand,
    price: p.price,
    image: p.image ?? null,
    rating: p.rating,
    inStock: known.length === 0 ? null : known.some((a) => a.inStock),
  };
}
