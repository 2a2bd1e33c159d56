/**
 * The API controller. Search is NOT cached at the gateway: the gateway keys its cache by URL and a
 * product change must show in search within a second; type-ahead is cached 5 s for anonymous
 * callers (a stale completion is harmless, and it is the most frequent call). ADR 0204.
 */
import { Type } from 'typebox';
import type { HttpServer } from '@emporium/platform';
import type { SearchApi } from './pipeline.ts';
import {
  SearchQuerystring,
  SearchResponseSchema,
  SuggestQuerystring,
  SuggestResponseSchema,
} from './schemas.ts';

export const SUGGEST_CACHE_SECONDS = 5;

export function registerPublicRoutes(app: HttpServer, api: SearchApi): void {
  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text product search with filters, facets, sorts and pages',
        querystring: SearchQuerystring,
        response: { 200: SearchResponseSchema },
      },
      config: { auth: 'public' },
    },
    async (request) => api.search(request.query, request.user?.id),
  );
  app.get(
    '/search/suggest',
    {
      schema: {
        tags: ['search'],
        summary: 'Type-ahead completions for a partial query',
        querystring: SuggestQuerystring,
        response: { 200: SuggestResponseSchema },
      },
      config: { auth: 'public', publicCacheSeconds: SUGGEST_CACHE_SECONDS },
    },
    async (request) => api.suggest(request.query.q, request.query.limit),
  );
}

const InternalSearchQuerystring = Type.Object(
  { ...SearchQuerystring.properties, userId: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);

/** The same pipeline for other services (SearchHttpClient), with the user passed explicitly. */
export function registerInternalRoutes(app: HttpServer, api: SearchApi): void {
  app.get(
    '/search',
    { schema: { querystring: InternalSearchQuerystring, response: { 200: SearchResponseSchema } } },
    async (request) => {
      const { userId, ...query } = request.query;
      return api.search(query, userId);
    },
  );
  app.get(
    '/suggest',
    { schema: { querystring: SuggestQuerystring, response: { 200: SuggestResponseSchema } } },
    async (request) => api.suggest(request.query.q, request.query.limit),
  );
}
