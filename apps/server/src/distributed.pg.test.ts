/**
 * Distributed mode on the real servers: one process runs users, inventory, catalog, search and
 * recommendations; another runs only
 * the gateway and reaches them over HTTP (forwarded public routes, remote JWKS). Runs when DATABASE_URL is
 * set (see vitest.config.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ServiceTokens } from '@emporium/platform';
import { freePort } from '@emporium/platform/testing';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const serviceKey = randomBytes(32).toString('hex');

function startProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      SEED_DEMO_DATA: 'false',
      SERVICE_KEY: serviceKey,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Emporium is ready')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`process exited with ${code}: ${output.slice(-2000)}`)));
  });
}

const stop = (child: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

describe('two processes on PostgreSQL, Redis and NATS', () => {
  let backend: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  let gatewayUrl = '';
  let backendUrl = '';

  beforeAll(async () => {
    const [backendPort, gatewayPort] = [await freePort(), await freePort()];
    backendUrl = `http://127.0.0.1:${backendPort}`;
    backend = await startProcess({
      SERVICES: 'users,inventory,catalog,search,recommendations',
      PORT: String(backendPort),
    });
    gateway = await startProcess({
      SERVICES: 'gateway',
      PORT: String(gatewayPort),
      SERVICE_URL_USERS: backendUrl,
      SERVICE_URL_INVENTORY: backendUrl,
      SERVICE_URL_CATALOG: backendUrl,
      SERVICE_URL_SEARCH: backendUrl,
      SERVICE_URL_RECOMMENDATIONS: backendUrl,
      // This test leaves cart, orders, payments, reviews, the ledger, notifications and analytics out; a gateway must still know where each service is.
      SERVICE_URL_CART: backendUrl,
      SERVICE_URL_ORDERS: backendUrl,
      SERVICE_URL_PAYMENTS: backendUrl,
      SERVICE_URL_REVIEWS: backendUrl,
      SERVICE_URL_LEDGER: backendUrl,
      SERVICE_URL_NOTIFICATIONS: backendUrl,
      SERVICE_URL_ANALYTICS: backendUrl,
    });
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  }, 90_000);
  afterAll(async () => {
    await stop(gateway);
    await stop(backend);
  });

  const api = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${gatewayUrl}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });

  it('keeps the internal routes to service tokens: refused on the service port, absent on the gateway', async () => {
    const probe = (base: string, token?: string) =>
      fetch(`${base}/internal/inventory/availability`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ skus: ['ANY'] }),
      });
    expect((await probe(backendUrl)).status).toBe(401);
    expect((await probe(gatewayUrl)).status).toBe(404);
    const tokens = new ServiceTokens(serviceKey, ['test']);
    expect((await probe(backendUrl, await tokens.issue('inventory'))).status).toBe(200);
  });

  it('forwards public routes to the process that runs the service, and verifies tokens with its remote keys', async () => {
    const run = randomBytes(4).toString('hex');
    const registered = await api('/auth/register', {
      method: 'POST',
      body: {
        email: `seller-${run}@example.com`,
        password: `Tr0ub4dor&3-${run}`,
        name: 'Dist Seller',
        role: 'seller',
        storeName: `Dist Store ${run}`,
      },
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };

    // The gateway process verifies the token itself, with keys fetched from the users process.
    const me = await api('/me', { token: accessToken });
    expect(me.status).toBe(200);
    const forged = await api('/me', { token: `${accessToken.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    // Clients that verify tokens themselves find the key set at the gateway too.
    const jwks = await fetch(`${gatewayUrl}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);

    const created = await api('/seller/products', {
      method: 'POST',
      token: accessToken,
      body: {
        title: `Distributed lamp ${run}`,
        description: 'A lamp created through the gateway process',
        brand: 'Lumen',
        category: 'Home/Lighting',
        attributes: {},
        status: 'active',
        variants: [{ sku: `DIST-${run}`, price: { amount: 2599, currency: 'USD' }, attributes: {} }],
      },
    });
    expect(created.status).toBe(201);
    const product = (await created.json()) as { id: string };
    const detail = await api(`/products/${product.id}`);
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { title: string }).title).toBe(`Distributed lamp ${run}`);
  });
});
