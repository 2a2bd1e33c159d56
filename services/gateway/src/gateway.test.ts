import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import {
  createHttpServer,
  createMetricsRegistry,
  registerAuthHook,
  type Cache,
  type HttpServer,
} from '@emporium/platform';
import { openRedis } from '@emporium/platform';
import { testCache, testTokens, testUrls, uniqueName } from '@emporium/platform/testing';
import type { Redis } from 'ioredis';
import { registerGateway, type ResponseCache } from './index.ts';

describe('gateway', () => {
  let app: HttpServer;
  let cache: Cache;
  let responseCache: ResponseCache;
  let tokens: Awaited<ReturnType<typeof testTokens>>;
  let price = 1999;
  let handled = 0;
  let redis: Redis | undefined;
  // Counters live in Redis for a minute: every run uses its own callers.
  const octet = () => Math.floor(Math.random() * 250) + 1;
  const ip = (n: number) => `10.${octet()}.${octet()}.${n}`;
  const run = uniqueName('run');

  beforeAll(async () => {
    tokens = await testTokens();
    cache = await testCache();
    redis = testUrls.redis ? await openRedis(testUrls.redis) : undefined;
    const metrics = createMetricsRegistry();
    app = createHttpServer({ name: 'gateway-test', logLevel: 'silent', metrics });
    registerAuthHook(app, tokens.verifier);
    responseCache = await registerGateway(app, {
      cache,
      metrics,
      rateLimitPerMinute: 5,
      deploymentName: uniqueName('gw'),
      remoteServices: [],
      redis,
    });
    app.get(
      '/api/v1/products/:id',
      {
        schema: {
          tags: ['catalog'],
          params: Type.Object({ id: Type.String() }),
          response: { 200: Type.Object({ id: Type.String(), price: Type.Integer() }) },
        },
        config: { publicCacheSeconds: 30, rateLimit: false },
      },
      async (request) => {
        handled++;
        return { id: request.params.id, price };
      },
    );
    app.get('/api/v1/me/secret', { config: { auth: 'customer' } }, async () => ({ secret: true }));
    app.get('/api/v1/limited', async () => ({ ok: true }));
    app.get('/api/v1/popular', { config: { publicCacheSeconds: 30 } }, async () => ({ popular: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await cache.deletePrefix('');
    await cache.close();
    await redis?.quit();
  });

  it('answers 429 with Retry-After once an IP spends its budget', async () => {
    const statuses: number[] = [];
    let last;
    const caller = ip(1);
    for (let i = 0; i < 7; i++) {
      last = await app.inject({ url: '/api/v1/limited', remoteAddress: caller });
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['content-type']).toContain('application/problem+json');
    const other = await app.inject({ url: '/api/v1/limited', remoteAddress: ip(2) });
    expect(other.statusCode).toBe(200);
  });

  it('counts a cached public GET against the budget: a cache hit is no way around the limit', async () => {
    const caller = ip(4);
    const statuses: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await app.inject({ url: '/api/v1/popular', remoteAddress: caller });
      statuses.push(`${res.statusCode} ${String(res.headers['x-cache'] ?? '-')}`);
    }
    expect(statuses.slice(1, 5)).toEqual(['200 hit', '200 hit', '200 hit', '200 hit']);
    expect(statuses.slice(5)).toEqual(['429 -', '429 -']);
  });

  it('counts an authenticated caller per user, not per IP', async () => {
    const alice = await tokens.tokenFor({ id: `${run}-alice`, role: 'customer' });
    const bob = await tokens.tokenFor({ id: `${run}-bob`, role: 'customer' });
    const call = (token: string) =>
      app.inject({
        url: '/api/v1/limited',
        remoteAddress: ip(3),
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < 5; i++) expect((await call(alice)).statusCode).toBe(200);
    expect((await call(alice)).statusCode).toBe(429);
    expect((await call(bob)).statusCode).toBe(200);
  });

  it('serves a cached public GET with ETag, answers 304 to If-None-Match, and is fresh after invalidation', async () => {
    const first = await app.inject({ url: '/api/v1/products/p1' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, max-age=30');
    const etag = String(first.headers.etag);
    const second = await app.inject({ url: '/api/v1/products/p1' });
    expect(second.headers['x-cache']).toBe('hit');
    expect(handled).toBe(1);
    const revalidated = await app.inject({ url: '/api/v1/products/p1', headers: { 'if-none-match': etag } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');

    price = 2499;
    await responseCache.invalidate('/api/v1/products');
    const fresh = await app.inject({ url: '/api/v1/products/p1', headers: { 'if-none-match': etag } });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toEqual({ id: 'p1', price: 2499 });
  });

  it('never caches a response to an authenticated caller', async () => {
    const token = await tokens.tokenFor({ id: 'carol', role: 'customer' });
    const before = handled;
    await app.inject({ url: '/api/v1/products/p2', headers: { authorization: `Bearer ${token}` } });
    await app.inject({ url: '/api/v1/products/p2', headers: { authorization: `Bearer ${token}` } });
    expect(handled - before).toBe(2);
  });

  it('refuses protected routes without a valid token and with the wrong role', async () => {
    expect((await app.inject({ url: '/api/v1/me/secret' })).statusCode).toBe(401);
    const forged = await app.inject({
      url: '/api/v1/me/secret',
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    const seller = await tokens.tokenFor({ id: 's1', role: 'seller' });
    const wrongRole = await app.inject({
      url: '/api/v1/me/secret',
      headers: { authorization: `Bearer ${seller}` },
    });
    expect(wrongRole.statusCode).toBe(403);
    const customer = await tokens.tokenFor({ id: 'c1', role: 'customer' });
    const ok = await app.inject({
      url: '/api/v1/me/secret',
      headers: { authorization: `Bearer ${customer}` },
    });
    expect(ok.json()).toEqual({ secret: true });
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/products/{id}'].get.tags).toEqual(['catalog']);
    expect(doc.paths['/api/v1/me/secret'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/healthz']).toBeUndefined();
    const docs = await app.inject({ url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
