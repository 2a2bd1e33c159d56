/**
 * Hardening as the whole store serves it: Swagger UI at /docs still loads under the content security
 * policy (every script and style it names is served from this origin, nothing inline), and CORS_ORIGINS
 * opens the API to the listed origins only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './testing/test-store.ts';

const SHOP = 'https://shop.example';
let server: TestStore;

beforeAll(async () => {
  server = await startTestStore({ CORS_ORIGINS: SHOP });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ url, headers });

describe('hardening of the whole store', () => {
  it('serves Swagger UI at /docs under a policy that lets every resource it names load', async () => {
    const page = await get('/docs/');
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    // A script without src would be inline, which script-src 'self' blocks.
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    expect(scripts.every((attributes) => /\bsrc="/.test(attributes))).toBe(true);
    const resources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    for (const resource of resources) {
      // Relative to /docs/: this origin, which 'self' allows.
      expect(resource).not.toMatch(/^[a-z]+:|^\/\//i);
      const loaded = await get(new URL(resource, 'http://store/docs/').pathname);
      expect({ resource, status: loaded.statusCode }).toEqual({ resource, status: 200 });
    }
    const initializer = await get('/docs/static/swagger-initializer.js');
    const document = /url: resolveUrl\('([^']+)'\)/.exec(initializer.body)?.[1];
    expect(document).toBeDefined();
    const spec = await get(new URL(document!, 'http://store/docs/').pathname);
    expect(spec.statusCode).toBe(200);
    expect(spec.json()).toMatchObject({ openapi: '3.1.0' });
  });

  it('sends the security headers on API answers too', async () => {
    const res = await get('/api/v1/categories');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('answers a preflight from a CORS_ORIGINS origin, and nothing to another origin', async () => {
    const preflight = (origin: string) =>
      server.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/cart/items',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(SHOP);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(SHOP);
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const read = await get('/api/v1/categories', { origin: 'https://evil.example' });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });
});
