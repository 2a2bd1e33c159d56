import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { SearchApi, SearchRequest } from './pipeline.ts';
import type { SearchResponse, SuggestResponse } from './schemas.ts';

/** The SearchApi over HTTP, for processes where search runs elsewhere. Reads only, so retried. */
export class SearchHttpClient implements SearchApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'search', options);
  }

  search(request: SearchRequest, userId?: string): Promise<SearchResponse> {
    return this.http.call('GET', '/search', undefined, { idempotent: true, query: { ...request, userId } });
  }

  suggest(q: string, limit?: number): Promise<SuggestResponse> {
    return this.http.call('GET', '/suggest', undefined, { idempotent: true, query: { q, limit } });
  }
}
