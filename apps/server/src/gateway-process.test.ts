/**
 * The several-process layout in one test process: a backend that runs every service without the gateway,
 * and a gateway process that forwards to it over HTTP (as the README's recipe does), on the embedded
 * backends or on PostgreSQL/Redis/NATS when their URLs are set. Checks what only shows across a hop: the
 * client's address reaches the login throttle, raw bodies pass through, a dead service is a 503.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, uniqueName } from '@emporium/platform/testing';
import { serviceRegistry } from './registry.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import { expectSuspensionAtOnce, SUSPENSION_ADMIN } from './testing/suspension.ts';

const SERVICE_KEY = randomBytes(32).toString('hex');
const PASSWORD = 'violet-harbour-7-lantern';
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const servers: TestStore[] = [];

async function start(env: Record<string, string>): Promise<TestStore> {
  const server = await startTestStore({ SERVICE_KEY, ...env });
  servers.push(server);
  return server;
}

/** A gateway process that finds every service at `url`. */
const gatewayFor = (url: string) =>
  start({
    SERVICES: 'gateway',
    ...Object.fromEntries(serviceRegistry.map((s) => [`SERVICE_URL_${s.name.toUpperCase()}`, url])),
  });

// Login counters outlive a run in Redis: every run takes its own addresses.
// A /24 of the benchmarking range drawn per run: the throttle's counters outlive a run on a shared Redis.
const subnet = `${18 + Math.floor(Math.random() * 2)}.${Math.floor(Math.random() * 256)}`;
const clientIp = (n: number) => `198.${subnet}.${n}`;
const spoofed = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

let backend: TestStore;
let gateway: TestStore;

beforeAll(async () => {
  backend = await start({
    SERVICES: serviceRegistry.map((s) => s.name).join(','),
    ADMIN_EMAIL: SUSPENSION_ADMIN.email,
    ADMIN_PASSWORD: SUSPENSION_ADMIN.password,
  });
  gateway = await gatewayFor(backend.url);
}, 180_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
});

interface Call {
  method?: 'GET' | 'POST';
  url: string;
  from: string;
  headers?: Record<string, string>;
  payload?: string | Buffer | Record<string, unknown>;
}
const call = (server: TestStore, c: Call) =>
  server.app.inject({
    method: c.method ?? 'GET',
    url: c.url,
    remoteAddress: c.from,
    headers: c.headers,
    payload: c.payload,
  });

/** A failed login for an address nobody has: only the per-IP counter can refuse it. */
const failedLogin = (server: TestStore, from: string, headers: Record<string, string> = {}) =>
  call(server, {
    method: 'POST',
    url: '/api/v1/auth/login',
    from,
    headers,
    payload: { email: `${uniqueName('nobody')}@example.com`, password: 'wrong-password-123' },
  });

/** 32 failed logins: past the 30 free attempts of one address, the next is delayed (429). */
async function exhaust(send: () => Promise<{ statusCode: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 32; i++) statuses.push((await send()).statusCode);
  return statuses;
}

async function register(role: 'customer' | 'seller', from: string) {
  const res = await call(gateway, {
    method: 'POST',
    url: '/api/v1/auth/register',
    from,
    payload: {
      email: `${uniqueName(`gw-${role}`)}@example.com`,
      password: PASSWORD,
      name: `Gateway ${role}`,
      role,
      ...(role === 'seller' ? { storeName: uniqueName('Gateway Store') } : {}),
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ accessToken: string; user: { id: string; email: string } }>();
}

describe('behind the gateway, the login throttle counts each client', () => {
  it('locks out the address that guesses, not everyone behind the same gateway', async () => {
    const statuses = await exhaust(() => failedLogin(gateway, clientIp(1)));
    expect(statuses.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => 401));
    expect(statuses.at(-1)).toBe(429);
    const other = await failedLogin(gateway, clientIp(2));
    expect(other.statusCode).toBe(401);
  });

  it('ignores an X-Forwarded-For a client writes itself, at the gateway and at a service port', async () => {
    const viaGateway = await exhaust(() =>
      failedLogin(gateway, clientIp(3), { 'x-forwarded-for': spoofed() }),
    );
    expect(viaGateway.at(-1)).toBe(429);
    // A public client is not a trusted hop: its header does not buy it a fresh address.
    const direct = await exhaust(() => failedLogin(backend, clientIp(4), { 'x-forwarded-for': spoofed() }));
    expect(direct.at(-1)).toBe(429);
  });
});

describe('the gateway forwards raw bodies and reports a dead service', () => {
  it('passes an image upload and a CSV import through to catalog', async () => {
    const seller = await register('seller', clientIp(10));
    const auth = { authorization: `Bearer ${seller.accessToken}` };
    const tag = uniqueName('gw').toUpperCase();
    const csv = [
      'handle,sku,title,brand,category,price,currency,stock,attributes,variant_attributes',
      `,GW-${tag},Gateway Hammer,Acme,Tools/Hammers,12.50,USD,3,,`,
    ].join('\n');
    const imported = await call(gateway, {
      method: 'POST',
      url: '/api/v1/seller/products/import',
      from: clientIp(10),
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ rows: 1, created: 1, failed: 0 });

    const mine = await call(gateway, { url: '/api/v1/seller/products', from: clientIp(10), headers: auth });
    const product = mine.json<{ items: { id: string }[] }>().items[0]!;
    const uploaded = await call(gateway, {
      method: 'POST',
      url: `/api/v1/seller/products/${product.id}/images`,
      from: clientIp(10),
      headers: { ...auth, 'content-type': 'image/png' },
      payload: PNG,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    expect(uploaded.json<{ images: unknown[] }>().images).toHaveLength(1);
  });

  it('answers 503 problem+json when the service behind does not listen', async () => {
    const nowhere = await gatewayFor(`http://127.0.0.1:${await freePort()}`);
    const res = await call(nowhere, { url: '/api/v1/products', from: clientIp(20) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 503, detail: expect.stringContaining('catalog') });
  });
});

describe('suspension behind the gateway', () => {
  it("refuses a suspended customer's token at once on every route, and lets it in once reinstated", async () => {
    await expectSuspensionAtOnce(gateway);
  });
});
