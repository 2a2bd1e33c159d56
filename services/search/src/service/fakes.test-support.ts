// In-memory stand-ins for the catalog and inventory APIs, for component tests that need no database.
import type { CatalogApi, ProductDocument, ProductSummary } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';

let n = 0;
export function productDoc(overrides: Partial<ProductDocument> = {}): ProductDocument {
  const id = overrides.id ?? `p${++n}`;
  return {
    id,
    title: 'Cordless Drill 18V',
    description: 'A compact drill driver',
    brand: 'Acme',
    categoryPath: ['Tools', 'Power Tools'],
    attributes: { voltage: '18V' },
    price: { amount: 9999, currency: 'USD' },
    rating: 4.5,
    ratingCount: 10,
    sellerId: 's1',
    status: 'active',
    createdAt: '2025-01-01T00:00:00.000Z',
    skus: [`${id}-a`, `${id}-b`],
    ...overrides,
  };
}

export class FakeCatalog implements CatalogApi {
  readonly products = new Map<string, ProductDocument>();
  calls = { getProducts: 0, listAllProducts: 0 };

  constructor(docs: ProductDocument[] = []) {
    for (const d of docs) this.products.set(d.id, d);
  }

  async getVariants(): Promise<never[]> {
    return [];
  }

  async getProducts(ids: string[]): Promise<ProductSummary[]> {
    this.calls.getProducts++;
    return ids.flatMap((id) => {
      const p = this.products.get(id);
      if (!p) return [];
      const { description: _d, attributes: _a, createdAt: _c, ...summary } = p;
      return [summary];
    });
  }

  async listAllProducts(cursor?: string, limit = 500) {
    this.calls.listAllProducts++;
    const all = [...this.products.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const from = cursor ? all.findIndex((p) => p.id > cursor) : 0;
    const items = from < 0 ? [] : all.slice(from, from + limit);
    const more = from >= 0 && from + limit < all.length;
    return { items, ...(more ? { nextCursor: items.at(-1)?.id } : {}) };
  }
}

export class FakeInventory implements Pick<InventoryApi, 'getAvailability'> {
  readonly stock = new Map<string, number>();
  calls = 0;

  async getAvailability(skus: string[]) {
    this.calls++;
    const out: Record<string, { available: number; inStock: boolean }> = {};
    for (const sku of skus) {
      const available = this.stock.get(sku);
      if (available !== undefined) out[sku] = { available, inStock: available > 0 };
    }
    return out;
  }
}

export const asInventory = (fake: FakeInventory) => fake as unknown as InventoryApi;
