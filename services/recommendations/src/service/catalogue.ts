// What the service knows of the catalogue between trainings: content features of every product, loaded
// from CatalogApi.listAllProducts and kept current by catalog events. It feeds cold start (content
// neighbours, session categories) and the re-ranker's attribute features.
import type { CatalogApi, ProductDocument } from '@emporium/catalog';
import { buildContentIndex, contentNeighbours } from '../model/content.ts';
import type { ContentIndex, ItemFeatures } from '../model/content.ts';

export interface ProductFeatures {
  id: string;
  title: string;
  brand: string | null;
  categoryPath: string[];
  active: boolean;
  rating: number;
  ratingCount: number;
  createdAt: string;
}

function featuresOf(p: ProductDocument): ProductFeatures {
  return {
    id: p.id,
    title: p.title,
    brand: p.brand,
    categoryPath: p.categoryPath,
    active: p.status === 'active',
    rating: p.rating,
    ratingCount: p.ratingCount,
    createdAt: p.createdAt,
  };
}

const toContent = (p: ProductFeatures): ItemFeatures => ({
  id: p.id,
  title: p.title,
  category: p.categoryPath,
  ...(p.brand ? { brand: p.brand } : {}),
});

export class Catalogue {
  private readonly products = new Map<string, ProductFeatures>();
  private readonly inactive = new Set<string>();
  private content: ContentIndex | undefined;
  private contentBuiltAt = 0;
  private dirty = false;
  private topRated: string[] | undefined;
  private newest: string[] | undefined;
  loaded = false;

  constructor(
    private readonly catalog: Pick<CatalogApi, 'listAllProducts'>,
    private readonly rebuildMs = 60_000,
  ) {}

  get size(): number {
    return this.products.size;
  }

  get(id: string): ProductFeatures | undefined {
    return this.products.get(id);
  }

  /** Products known but not active: usually few, so serving checks this set instead of every candidate. */
  inactiveIds(): ReadonlySet<string> {
    return this.inactive;
  }

  private put(p: ProductDocument): void {
    const features = featuresOf(p);
    this.products.set(p.id, features);
    if (features.active) this.inactive.delete(p.id);
    else this.inactive.add(p.id);
  }

  /** Pages through the whole catalogue; events that arrive meanwhile are applied on top. */
  async load(shouldStop: () => boolean = () => false): Promise<number> {
    let cursor: string | undefined;
    do {
      const page = await this.catalog.listAllProducts(cursor, 1_000);
      for (const p of page.items) if (!this.products.has(p.id)) this.put(p);
      cursor = page.nextCursor;
    } while (cursor && !shouldStop());
    this.loaded = true;
    this.changed();
    return this.products.size;
  }

  apply(doc: ProductDocument): void {
    this.put(doc);
    this.changed();
  }

  /** Content neighbours among active products: the cold-start answer for a product with no interactions. */
  neighbours(id: string, k: number): { item: string; score: number }[] {
    const product = this.products.get(id);
    if (!product) return [];
    // A stale index is fine for a minute: the queried product need not be in it, only its neighbours.
    if (!this.content || (this.dirty && Date.now() - this.contentBuiltAt > this.rebuildMs)) {
      this.content = buildContentIndex([...this.products.values()].filter((p) => p.active).map(toContent));
      this.contentBuiltAt = Date.now();
      this.dirty = false;
    }
    const candidates = contentNeighbours(this.content, toContent(product), k + 1);
    return candidates.filter((c) => c.item !== id && this.products.get(c.item)?.active).slice(0, k);
  }

  /** Active products by Bayesian-smoothed rating: the answer when no one has interacted with anything yet. */
  topRatedIds(limit: number): string[] {
    if (!this.topRated) {
      const prior = 10;
      const score = (p: ProductFeatures) =>
        (p.rating * p.ratingCount + 3.5 * prior) / (p.ratingCount + prior);
      this.topRated = [...this.products.values()]
        .filter((p) => p.active)
        .sort((a, b) => score(b) - score(a) || (a.id < b.id ? -1 : 1))
        .slice(0, 500)
        .map((p) => p.id);
    }
    return this.topRated.slice(0, limit);
  }

  /** Active products, newest first: what a store with no demand yet can still show beyond its best rated. */
  newestIds(limit: number): string[] {
    this.newest ??= [...this.products.values()]
      .filter((p) => p.active)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1))
      .slice(0, 500)
      .map((p) => p.id);
    return this.newest.slice(0, limit);
  }

  /** `{productId: [brand, category prefixes]}` for the model's attribute features (ADR 0301). */
  attributesJson(): string {
    const out: Record<string, string[]> = {};
    for (const p of this.products.values()) {
      const attrs = p.brand ? [`b:${p.brand.toLowerCase()}`] : [];
      p.categoryPath.forEach((_, i) => attrs.push(`c:${p.categoryPath.slice(0, i + 1).join('/')}`));
      out[p.id] = attrs;
    }
    return JSON.stringify(out);
  }

  private changed(): void {
    this.dirty = true;
    this.topRated = undefined;
    this.newest = undefined;
  }
}
