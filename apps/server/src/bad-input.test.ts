/**
 * Bad input against the whole store: every /api/v1 route, taken from Fastify's own route table, is sent a
 * NUL in each path parameter, in the query and in the body, as an admin (past every access gate), and must
 * answer a 400 problem, never a 5xx. The framework's own refusals are problem+json too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import type { RouteEntry } from './testing/route-table.ts';
import { fillUrl } from './testing/route-table.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';

const routeTable = vi.hoisted(() => [] as RouteEntry[]);
vi.mock('@emporium/platform', async (importOriginal) =>
  (await import('./testing/route-table.ts')).platformRecordingRoutes(importOriginal, routeTable),
);

const ADMIN_EMAIL = `${uniqueName('badinput-admin')}@example.com`;
const ADMIN_PASSWORD = 'copper-lantern-58-willow';
let server: TestStore;
let adminToken: string;
let customerToken: string;

interface Sent {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token?: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}

async function send({ method = 'GET', url, token, headers = {}, payload }: Sent) {
  const res = await server.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(payload === undefined ? {} : { payload }),
  });
  const type = String(res.headers['content-type'] ?? '').split(';')[0];
  return { status: res.statusCode, type, body: res.body };
}

const json = { 'content-type': 'application/json', 'idempotency-key': newId() };

async function signIn(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await send({ method: 'POST', url: path, headers: json, payload: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`cannot sign in: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { accessToken: string }).accessToken;
}

beforeAll(async () => {
  server = await startTestStore({ ADMIN_EMAIL, ADMIN_PASSWORD });
  adminToken = await signIn('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  customerToken = await signIn('/api/v1/auth/register', {
    email: `${uniqueName('badinput')}@example.com`,
    password: 'amber-orchard-24-signal',
    name: 'Bad Input',
    role: 'customer',
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

const apiRoutes = () => routeTable.filter((r) => r.url.startsWith('/api/v1/'));
const withBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);

describe('bad input against the whole store', () => {
  it('answers GET /api/v1/orders/%00 with a valid token with a 400 problem', async () => {
    const res = await send({ url: '/api/v1/orders/%00', token: customerToken });
    expect({ status: res.status, type: res.type }).toEqual({ status: 400, type: 'application/problem+json' });
  });

  it('answers a NUL in any path parameter, query or body of every /api/v1 route with a 400 problem', async () => {
    expect(apiRoutes().length).toBeGreaterThan(20);
    const wrong: string[] = [];
    const expect400 = async (label: string, sent: Sent) => {
      const res = await send({ ...sent, token: adminToken });
      if (res.status !== 400 || res.type !== 'application/problem+json')
        wrong.push(`${label}: ${res.status} ${res.type} ${res.body.slice(0, 120)}`);
    };
    for (const route of apiRoutes()) {
      const method = route.method as Sent['method'];
      const body = withBody(route.method) ? { headers: json, payload: '{}' } : {};
      const params = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
      for (const param of params) {
        const poisoned = fillUrl(route.url, { [param]: 'a\u0000b' }, () => newId());
        await expect400(`${route.key} param ${param}`, { method, url: poisoned, ...body });
      }
      const url = fillUrl(route.url, {}, () => newId());
      await expect400(`${route.key} query`, { method, url: `${url}?q=a%00b`, ...body });
      if (withBody(route.method))
        await expect400(`${route.key} body`, {
          method,
          url,
          headers: json,
          payload: '{"title":"a\\u0000b","nested":[{"x":"\\ud800"}]}',
        });
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it.each([
    ['a bad percent-encoding', { url: '/api/v1/products/%E0%A4%A' }, 400],
    ['an over-long path parameter', { url: `/api/v1/products/${'a'.repeat(300)}` }, 414],
    ['an unknown route', { url: '/api/v1/nowhere' }, 404],
    [
      'malformed JSON',
      { method: 'POST', url: '/api/v1/cart/items', headers: json, payload: '{"sku": ' },
      400,
    ],
    [
      'a wrong content type',
      {
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'sku=A&quantity=1',
      },
      415,
    ],
    [
      'an over-size body',
      {
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: json,
        payload: JSON.stringify({ sku: 'x'.repeat(2 * 1024 * 1024), quantity: 1 }),
      },
      413,
    ],
    ['a malformed cart cookie', { url: '/api/v1/cart', headers: { cookie: 'cart_id=%E0%A4%A' } }, 200],
  ] as const)('answers %s with the right status, problem+json when refused', async (_name, sent, status) => {
    const res = await send(sent as Sent);
    expect(res.status).toBe(status);
    if (status >= 400) expect(res.type).toBe('application/problem+json');
  });
});
