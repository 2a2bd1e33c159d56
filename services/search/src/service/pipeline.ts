/**
 * The search pipeline behind the controller (DESIGN.md section 5): query parser → index (BM25F
 * candidates, learned re-ranking of the top ones) → results aggregator → response formatter.
 */
import { validation } from '@emporium/platform';
import { parseQuery, sanitize, type SearchParams } from '../query-parser.ts';
import type { ResultsAggregator } from './aggregator.ts';
import { formatSearch } from './formatter.ts';
import type { SearchIndexer } from './indexer.ts';
import type { RecentCategories } from './recent.ts';
import type { SearchQuerystring, SearchResponse, SuggestResponse } from './schemas.ts';

export type SearchRequest = SearchQuerystring;

/** The search service's API, in-process or over HTTP (SearchHttpClient). */
export interface SearchApi {
  /** `userId` personalises ranking with the user's recent categories. */
  search(request: SearchRequest, userId?: string): Promise<SearchResponse>;
  suggest(q: string, limit?: number): Promise<SuggestResponse>;
}

function toParams(r: SearchRequest): SearchParams {
  const str = (v: number | boolean | undefined) => (v === undefined ? undefined : String(v));
  return {
    q: r.q,
    category: r.category,
    brand: r.brand,
    minPrice: str(r.minPrice),
    maxPrice: str(r.maxPrice),
    minRating: str(r.minRating),
    inStock: str(r.inStock),
    sort: r.sort,
    page: str(r.page),
    perPage: str(r.perPage),
  };
}

export class SearchPipeline implements SearchApi {
  constructor(
    private readonly indexer: SearchIndexer,
    private readonly aggregator: ResultsAggregator,
    private readonly recent: RecentCategories,
  ) {}

  async search(request: SearchRequest, userId?: string): Promise<SearchResponse> {
    const started = performance.now();
    const parsed = parseQuery(toParams(request));
    if (!parsed.ok) throw validation(parsed.error.message, parsed.error.fields);
    const recentCategories = userId ? this.recent.get(userId) : undefined;
    const category = parsed.query.filters.category;
    if (userId && category) this.recent.record(userId, category);
    const result = this.indexer.index.search(parsed.query, { recentCategories });
    const page = await this.aggregator.hydrate(result.hits);
    return formatSearch(result, page, sanitize(request.q ?? '').trim(), performance.now() - started);
  }

  async suggest(q: string, limit = 8): Promise<SuggestResponse> {
    return { query: q, suggestions: this.indexer.index.suggest(q, limit) };
  }
}
