/** Public entry of the search service (@emporium/search): its API and types, factory and HTTP client. */
export type { SearchApi, SearchRequest } from './service/pipeline.ts';
export type { SearchResponse, SuggestResponse } from './service/schemas.ts';
export { createSearchService, type SearchDeps } from './service/service.ts';
export { SearchHttpClient } from './service/client.ts';
