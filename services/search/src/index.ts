/** Public entry of the search service (@emporium/search): its API and types, factory and HTTP client. */
import { defineService, noSettings, requires } from '@emporium/platform';
import type {} from '@emporium/catalog';
import type {} from '@emporium/inventory';
import type { SearchApi } from './service/pipeline.ts';
import { createSearchService } from './service/service.ts';
import { SearchHttpClient } from './service/client.ts';
export type { SearchApi, SearchRequest } from './service/pipeline.ts';
export type { SearchResponse, SuggestResponse } from './service/schemas.ts';
export { createSearchService, type SearchDeps } from './service/service.ts';
export { SearchHttpClient } from './service/client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    search: SearchApi;
  }
}

export const searchService = defineService({
  name: 'search',
  needs: { catalog: requires('catalog'), inventory: requires('inventory') },
  publicPaths: ['/search'],
  settings: noSettings,
  create: (ctx, deps) => createSearchService(ctx, deps),
  client: (url, options) => new SearchHttpClient(url, options),
});
