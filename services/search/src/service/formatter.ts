/**
 * Response formatter: the engine's result and the hydrated page into the public shape of DESIGN.md
 * section 4. The category facet is a flat pre-order list with depths (a recursive schema would make
 * the OpenAPI document and the serialiser awkward; a client rebuilds the tree in one pass).
 */
import type { FacetValue, SearchResult } from '../types.ts';
import type { Hydrated } from './aggregator.ts';
import type { SearchResponse } from './schemas.ts';

export function categoryList(values: FacetValue[]): SearchResponse['facets']['category'] {
  const sorted = [...values].sort((a, b) => {
    const pa = a.value.toLowerCase().split('/');
    const pb = b.value.toLowerCase().split('/');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++)
      if (pa[i] !== pb[i]) return (pa[i] as string) < (pb[i] as string) ? -1 : 1;
    return pa.length - pb.length;
  });
  return sorted.map((v) => {
    const parts = v.value.split('/');
    return { value: v.value, name: parts.at(-1) ?? v.value, depth: parts.length - 1, count: v.count };
  });
}

export function formatSearch(
  result: SearchResult,
  page: Hydrated,
  query: string,
  tookMs: number,
): SearchResponse {
  return {
    total: Math.max(0, result.total - page.dropped),
    page: result.page,
    perPage: result.perPage,
    items: page.items,
    facets: {
      category: categoryList(result.facets.category),
      brand: result.facets.brand,
      price: result.facets.price,
      rating: result.facets.rating,
      inStock: result.facets.inStock,
      attributes: result.facets.attributes,
    },
    query,
    tookMs: Math.round(tookMs * 100) / 100,
  };
}
