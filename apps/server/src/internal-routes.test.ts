/**
 * The service-to-service routes on every deployment shape: never served on the public port of a process
 * that runs the gateway, and wherever they are served, refused to an anonymous caller, to a customer's
 * access token, to a token signed with another key and to a token for another service. The routes come
 * from Fastify's route table, so a route added by anyone is checked the moment it exists.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId, ServiceTokens } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import { fillUrl, type RouteEntry } from './testing/route-table.ts';
import { serviceRegistry } from './registry.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';

const routeTable = vi.hoisted(() => [] as RouteEntry[]);
vi.mock('@emporium/platform', async (importOriginal) =>
  (await import('./testing/route-table.ts')).platformRecordingRoutes(importOriginal, routeTable),
);

const SERVICE_KEY = randomBytes(32).toString('hex');
const sameKey = new ServiceTokens(SERVICE_KEY, ['test']);
const otherKey = new ServiceTokens(randomBytes(32).toString('hex'), ['test']);
const servers: TestStore[] = [];

async function start(env: Record<string, string>): Promise<TestStore> {
  const server = await startTestStore(env);
  servers.push(server);
  return server;
}

const internalRoutes = () => {
  const seen = new Map<string, RouteEntry>();
  for (const r of routeTable) if (r.url.startsWith('/internal/')) seen.set(r.key, r);
  return [...seen.values()];
};
const serviceOf = (route: RouteEntry) => route.url.split('/')[2]!;

async function call(base: string, route: RouteEntry, token?: string): Promise<number> {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  const res = await fetch(base + fillUrl(route.url, {}, () => newId()), {
    method: route.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(withBody ? { 'content-type': 'application/json' } : {}),
    },
    body: withBody ? '{}' : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

async function customerToken(server: TestStore): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `${uniqueName('internal')}@example.com`,
      password: 'violet-harbour-7-lantern',
      name: 'Internal Probe',
      role: 'customer',
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Every internal route at `base` refuses each intruder with 401 and lets a service token through. */
async function expectGuarded(base: string, customer: string): Promise<void> {
  const failures: string[] = [];
  for (const route of internalRoutes()) {
    const service = serviceOf(route);
    const wrongAudience = service === 'users' ? 'catalog' : 'users';
    const intruders: [string, string | undefined][] = [
      ['anonymous', undefined],
      ['customer', customer],
      ['other key', await otherKey.issue(service)],
      ['other service', await sameKey.issue(wrongAudience)],
    ];
    for (const [who, token] of intruders) {
      const status = await call(base, route, token);
      if (status !== 401) failures.push(`${route.key} × ${who} → ${status}, expected 401`);
    }
    const status = await call(base, route, await sameKey.issue(service, { id: newId(), role: 'seller' }));
    if (status === 401 || status >= 500) failures.push(`${route.key} × service → ${status}`);
  }
  expect(failures).toEqual([]);
}

let embedded: TestStore;
let withInternalPort: TestStore;
let serviceProcess: TestStore;

beforeAll(async () => {
  embedded = await start({});
  withInternalPort = await start({ INTERNAL_PORT: '0', SERVICE_KEY });
  const withoutGateway = serviceRegistry.map((s) => s.name).join(',');
  serviceProcess = await start({ SERVICES: withoutGateway, SERVICE_KEY });
}, 180_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
});

describe('internal routes', () => {
  it('are seen in the route table, for every service that has them', () => {
    const services = new Set(internalRoutes().map(serviceOf));
    for (const name of ['users', 'inventory', 'catalog', 'cart', 'payments', 'orders'])
      expect(services).toContain(name);
  });

  it('are not served on the public port of a process that runs the gateway', async () => {
    for (const server of [embedded, withInternalPort])
      for (const route of internalRoutes()) expect(await call(server.url, route), route.key).toBe(404);
  });

  it('refuse every intruder on the separate internal listener', async () => {
    expect(withInternalPort.internalUrl).toBeDefined();
    await expectGuarded(withInternalPort.internalUrl!, await customerToken(withInternalPort));
  });

  it('refuse every intruder on the port of a service process', async () => {
    await expectGuarded(serviceProcess.url, await customerToken(serviceProcess));
  });

  it('take the acting seller from the signed token, not from the body', async () => {
    const sku = `INT-${newId().slice(-8)}`;
    const seller = { id: newId(), role: 'seller' as const };
    const base = `${serviceProcess.url}/internal/inventory`;
    const asService = async (actor?: typeof seller) => ({
      authorization: `Bearer ${await sameKey.issue('inventory', actor)}`,
      'content-type': 'application/json',
    });
    const registered = await fetch(`${base}/skus`, {
      method: 'POST',
      headers: await asService(),
      body: JSON.stringify({ items: [{ sku, sellerId: seller.id }] }),
    });
    expect(registered.status).toBe(204);
    const put = (headers: Record<string, string>, body: unknown) =>
      fetch(`${base}/stock/${sku}`, { method: 'PUT', headers, body: JSON.stringify(body) });
    // A body naming the owner (the old contract) counts for nothing: the token's actor is the one checked.
    const intruder = { id: newId(), role: 'seller' as const };
    expect((await put(await asService(intruder), { actor: seller, onHand: 5 })).status).toBe(403);
    expect((await put(await asService(), { actor: seller, onHand: 5 })).status).toBe(403);
    const ok = await put(await asService(seller), { onHand: 5 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { onHand: number }).onHand).toBe(5);
  });
});
