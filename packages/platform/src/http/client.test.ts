import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from './server.ts';
import { createMetricsRegistry } from './metrics.ts';
import { ServiceHttpClient } from './client.ts';
import { AppError, conflict } from '../errors.ts';

describe('service HTTP client', () => {
  let app: HttpServer;
  let baseUrl: string;
  const hits = { get: 0, post: 0 };

  beforeAll(async () => {
    app = createHttpServer({ name: 't', logLevel: 'silent', metrics: createMetricsRegistry() });
    app.get('/flaky', async (_request, reply) => {
      hits.get++;
      if (hits.get < 3) return reply.code(503).send({ detail: 'warming up' });
      return { ok: true };
    });
    app.post('/flaky', async (_request, reply) => {
      hits.post++;
      return reply.code(503).send({ detail: 'warming up' });
    });
    app.get('/hang', async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      return { late: true };
    });
    app.post('/reserve', async () => {
      throw conflict('Out of stock', { skus: ['SKU-1'] });
    });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('retries an idempotent call until it succeeds', async () => {
    const client = new ServiceHttpClient({ baseUrl, retries: 3 });
    expect(await client.call('GET', '/flaky')).toEqual({ ok: true });
    expect(hits.get).toBe(3);
  });

  it('never retries a non-idempotent call', async () => {
    const client = new ServiceHttpClient({ baseUrl, retries: 3 });
    await expect(client.call('POST', '/flaky', {})).rejects.toMatchObject({ kind: 'Unavailable' });
    expect(hits.post).toBe(1);
  });

  it('turns a problem answer into the same domain error the local service throws', async () => {
    const client = new ServiceHttpClient({ baseUrl });
    const error = await client.call('POST', '/reserve', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'Conflict', message: 'Out of stock', details: { skus: ['SKU-1'] } });
  });

  it('gives up after its timeout', async () => {
    const client = new ServiceHttpClient({ baseUrl, timeoutMs: 200, retries: 0 });
    await expect(client.call('GET', '/hang')).rejects.toMatchObject({ kind: 'Unavailable' });
  });
});
