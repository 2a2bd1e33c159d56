/** Public types of the search engine: documents, parsed queries, results and the index contract. */

import type { Money } from '@emporium/platform';

export type { Money };

export interface SearchDocument {
  id: string;
  title: string;
  description?: string;
  brand?: string;
  /** Root first, e.g. ['Tools', 'Power Tools', 'Drills']. */
  categoryPath?: string[];
  attributes?: Record<string, string>;
  price?: Money;
  rating?: number;
  inStock?: boolean;
  /** Epoch milliseconds. */
  createdAt?: number;
  sales?: number;
  popularity?: number;
  /** The product's SKUs and those in stock (the service derives `inStock` from them). */
  skus?: string[];
  skusInStock?: string[];
  /** Epoch ms of the change this document reflects (the service drops older events). */
  version?: number;
}

export type SortOrder = 'relevance' | 'price_asc' | 'price_desc' | 'rating' | 'newest' | 'bestselling';
export const SORT_ORDERS: readonly SortOrder[] = [
  'relevance',
  'price_asc',
  'price_desc',
  'rating',
  'newest',
  'bestselling',
];

export interface SearchFilters {
  /** Category path prefixes ('Tools/Power Tools'); a document matches a prefix of its path (subtree). */
  category?: string;
  brands?: string[];
  /** Inclusive bounds in minor units. */
  minPrice?: number;
  maxPrice?: number;
  minRating?: number;
  inStock?: boolean;
  attributes?: Record<string, string>;
}

/** The output of the query parser and the input of the index. */
export interface ParsedQuery {
  /** Free-text words, raw (the analyzer runs inside the index). */
  text: string;
  /** Quoted phrases, raw. */
  phrases: string[];
  filters: SearchFilters;
  sort: SortOrder;
  page: number;
  perPage: number;
}

export interface SearchContext {
  /** Category paths the user looked at recently, most recent first (ranker feature). */
  recentCategories?: string[];
  /** Epoch ms used for freshness; defaults to Date.now(). */
  now?: number;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface PriceBucket {
  /** Inclusive bounds in minor units; `to` is absent for the open top bucket. */
  from: number;
  to?: number;
  count: number;
}

export interface Facets {
  /** Every node of the category tree present in the match set, as 'A/B/C' paths. */
  category: FacetValue[];
  brand: FacetValue[];
  price: PriceBucket[];
  /** value is the minimum rating ('4' means rating >= 4); counts are cumulative. */
  rating: FacetValue[];
  inStock: FacetValue[];
  attributes: Record<string, FacetValue[]>;
}

export interface SearchHit {
  id: string;
  score: number;
  doc: SearchDocument;
}

export interface SearchResult {
  total: number;
  page: number;
  perPage: number;
  hits: SearchHit[];
  facets: Facets;
  tookMs: number;
}

export interface Suggestion {
  text: string;
  /** How many documents carry the completed word or title. */
  count: number;
}

/** The index contract: the embedded engine now, an OpenSearch adapter later. */
export interface SearchIndex {
  upsert(doc: SearchDocument): void;
  upsertMany(docs: Iterable<SearchDocument>): void;
  remove(id: string): boolean;
  get(id: string): SearchDocument | undefined;
  size(): number;
  search(query: ParsedQuery, context?: SearchContext): SearchResult;
  suggest(prefix: string, limit?: number): Suggestion[];
  /** Writes a versioned snapshot; `load` in the implementation module reads it back. */
  saveSnapshot(file: string): Promise<void>;
}
