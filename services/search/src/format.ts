/**
 * Response formatting: turns an engine result into the public API shape of DESIGN.md section 4
 * (`{total, page, perPage, items, facets, query, tookMs}`) and the category facet into a tree.
 * Hydration from catalog and inventory happens before this, in the service's aggregator.
 */
import type { FacetValue, Facets, Money, SearchResult } from './types.ts';

export interface SearchItem {
  id: string;
  title: string;
  brand: string | null;
  price: Money | null;
  image: string | null;
  rating: number | null;
  inStock: boolean | null;
}

export interface CategoryNode {
  name: string;
  path: string;
  count: number;
  children: CategoryNode[];
}

export interface SearchResponse {
  total: number;
  page: number;
  perPage: number;
  items: SearchItem[];
  facets: Omit<Facets, 'category'> & { category: CategoryNode[] };
  query: string;
  tookMs: number;
}

export function categoryTree(values: FacetValue[]): CategoryNode[] {
  const roots: CategoryNode[] = [];
  const byPath = new Map<string, CategoryNode>();
  for (const v of [...values].sort((a, b) => a.value.split('/').length - b.value.split('/').length)) {
    const parts = v.value.split('/');
    const node: CategoryNode = { name: parts.at(-1) ?? v.value, path: v.value, count: v.count, children: [] };
    byPath.set(v.value.toLowerCase(), node);
    const parent = byPath.get(parts.slice(0, -1).join('/').toLowerCase());
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

export function formatResponse(
  result: SearchResult,
  query: string,
  image: (id: string) => string | null = () => null,
): SearchResponse {
  return {
    total: result.total,
    page: result.page,
    perPage: result.perPage,
    items: result.hits.map(({ doc }) => ({
      id: doc.id,
      title: doc.title,
      brand: doc.brand ?? null,
      price: doc.price ?? null,
      image: image(doc.id),
      rating: doc.rating ?? null,
      inStock: doc.inStock ?? null,
    })),
    facets: { ...result.facets, category: categoryTree(result.facets.category) },
    query,
    tookMs: Math.round(result.tookMs * 100) / 100,
  };
}
