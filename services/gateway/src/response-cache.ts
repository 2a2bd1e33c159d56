import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '@emporium/platform';
import { counter } from '@emporium/platform';
import type { Registry } from 'prom-client';

interface CachedResponse {
  body: string;
  contentType: string;
  etag: string;
}

const KEY_PREFIX = 'gw:';

const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

const cacheable = (request: FastifyRequest) =>
  request.method === 'GET' &&
  !request.headers.authorization &&
  (request.routeOptions.config.publicCacheSeconds ?? 0) > 0;

function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  return header !== undefined && header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

export interface ResponseCache {
  /** Drops cached responses whose URL starts with the path, e.g. `/api/v1/products`. */
  invalidate(pathPrefix: string): Promise<void>;
}

/**
 * Caches public GET responses (routes that declare `config.publicCacheSeconds`, called without a token),
 * answers with ETag and Cache-Control, and 304 to a matching If-None-Match. Owners of the data invalidate
 * by path prefix when it changes.
 */
export function registerResponseCache(app: FastifyInstance, cache: Cache, metrics: Registry): ResponseCache {
  const lookups = counter(metrics, 'emporium_gateway_cache_lookups_total', 'Gateway response cache lookups', [
    'result',
  ]);

  const sendCached = (request: FastifyRequest, reply: FastifyReply, cached: CachedResponse, ttl: number) => {
    reply
      .header('etag', cached.etag)
      .header('cache-control', `public, max-age=${ttl}`)
      .header('x-cache', 'hit');
    if (notModified(request, cached.etag)) return reply.code(304).send();
    return reply.type(cached.contentType).send(cached.body);
  };

  app.addHook('preHandler', async (request, reply) => {
    if (!cacheable(request)) return;
    const cached = await cache.get<CachedResponse>(KEY_PREFIX + request.url);
    lookups.inc({ result: cached ? 'hit' : 'miss' });
    if (cached)
      return sendCached(request, reply, cached, request.routeOptions.config.publicCacheSeconds ?? 0);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!cacheable(request) || reply.statusCode !== 200 || reply.getHeader('x-cache') === 'hit')
      return payload;
    if (typeof payload !== 'string') return payload;
    const ttl = request.routeOptions.config.publicCacheSeconds ?? 0;
    const etag = etagOf(payload);
    const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
    await cache.set<CachedResponse>(KEY_PREFIX + request.url, { body: payload, contentType, etag }, ttl);
    reply.header('etag', etag).header('cache-control', `public, max-age=${ttl}`).header('x-cache', 'miss');
    if (notModified(request, etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  return { invalidate: (pathPrefix) => cache.deletePrefix(KEY_PREFIX + pathPrefix) };
}
