/**
 * Secrets never reach the logs: the store is started as `npm start` would (its own process, LOG_LEVEL=info,
 * the payment sandbox beside it), taken through register, login, refresh, a failed login, a product,
 * a checkout with a card token and logout, and everything it wrote to stdout and stderr is searched for
 * every secret it was given or handed out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@emporium/platform/testing';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const secret = (prefix: string) => `${prefix}${randomBytes(18).toString('hex')}`;
const SECRETS = {
  SERVICE_KEY: secret('svckey_'),
  PAYMENTS_GATEWAY_API_KEY: secret('sk_test_'),
  PAYMENTS_WEBHOOK_SECRET: secret('whsec_'),
  ADMIN_PASSWORD: secret('admin-pw-'),
};
const handedOut: Record<string, string> = {};
let child: ChildProcess | undefined;
let logs = '';
let dataDir: string;

async function start(): Promise<string> {
  dataDir = await mkdtemp(join(tmpdir(), 'emporium-logs-'));
  child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      ...SECRETS,
      DATABASE_URL: '',
      REDIS_URL: '',
      NATS_URL: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      SEED_DEMO_DATA: 'false',
      ADMIN_EMAIL: 'logs-admin@example.com',
      PAYMENTS_SANDBOX_PORT: String(await freePort()),
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      logs += chunk.toString();
      const ready = /"url":"(http:\/\/[^"]+)"[^\n]*Emporium is ready/.exec(logs);
      if (ready) resolve(ready[1]!);
    };
    child!.stdout!.on('data', collect);
    child!.stderr!.on('data', collect);
    child!.on('exit', (code) =>
      reject(new Error(`the store exited (${code}) before it was ready:\n${logs}`)),
    );
  });
}

async function stop() {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  await stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  key?: string,
) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'idempotency-key': key ?? randomBytes(8).toString('hex'),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Signs up or in, and remembers the tokens it was given as secrets to look for. */
async function session(base: string, label: string, path: string, body: Record<string, unknown>) {
  const res = await call(base, 'POST', path, body);
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  handedOut[`${label} access token`] = String(res.json.accessToken);
  handedOut[`${label} refresh token`] = String(res.json.refreshToken);
  return { access: String(res.json.accessToken), refresh: String(res.json.refreshToken) };
}

async function shopping(base: string) {
  const customerPassword = (handedOut['customer password'] = secret('cust-pw-'));
  const sellerPassword = (handedOut['seller password'] = secret('seller-pw-'));
  const wrongPassword = (handedOut['a mistyped password'] = secret('wrong-pw-'));
  const email = `logs-${randomBytes(4).toString('hex')}@example.com`;
  await session(base, 'customer', '/api/v1/auth/register', {
    email,
    password: customerPassword,
    name: 'Log Customer',
    role: 'customer',
  });
  expect((await call(base, 'POST', '/api/v1/auth/login', { email, password: wrongPassword })).status).toBe(
    401,
  );
  const customer = await session(base, 'login', '/api/v1/auth/login', { email, password: customerPassword });
  const refreshed = await session(base, 'refreshed', '/api/v1/auth/refresh', {
    refreshToken: customer.refresh,
  });
  const seller = await session(base, 'seller', '/api/v1/auth/register', {
    email: `logs-seller-${randomBytes(4).toString('hex')}@example.com`,
    password: sellerPassword,
    name: 'Log Seller',
    role: 'seller',
    storeName: `Log Store ${randomBytes(3).toString('hex')}`,
  });
  await session(base, 'admin', '/api/v1/auth/login', {
    email: 'logs-admin@example.com',
    password: SECRETS.ADMIN_PASSWORD,
  });
  const sku = `LOG-${randomBytes(4).toString('hex')}`.toUpperCase();
  const product = await call(
    base,
    'POST',
    '/api/v1/seller/products',
    {
      title: 'Log Lamp',
      category: 'Home/Lighting',
      status: 'active',
      variants: [{ sku, price: { amount: 1500, currency: 'EUR' }, attributes: {} }],
    },
    seller.access,
  );
  expect(product.status).toBe(201);
  expect(
    (await call(base, 'PUT', `/api/v1/seller/inventory/${sku}`, { onHand: 5 }, seller.access)).status,
  ).toBe(200);
  expect(
    (await call(base, 'POST', '/api/v1/cart/items', { sku, quantity: 1 }, refreshed.access)).status,
  ).toBeLessThan(300);
  const address = {
    name: 'Log Customer',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  };
  // A 503 means the payment is still in flight (slow cores): retried with its key, as the answer asks.
  const key = randomBytes(8).toString('hex');
  const body = { shippingAddress: address, paymentToken: 'tok_visa' };
  let order = await call(base, 'POST', '/api/v1/orders', body, refreshed.access, key);
  for (let attempt = 1; order.status === 503 && attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    order = await call(base, 'POST', '/api/v1/orders', body, refreshed.access, key);
  }
  expect(order.json).toMatchObject({ status: 'paid' });
  // A bad bearer token is logged as a refusal; the token itself must not be.
  handedOut['a forged bearer token'] = secret('eyJforged.');
  expect((await call(base, 'GET', '/api/v1/me', undefined, handedOut['a forged bearer token'])).status).toBe(
    401,
  );
  expect(
    (await call(base, 'POST', '/api/v1/auth/logout', { refreshToken: refreshed.refresh }, refreshed.access))
      .status,
  ).toBeLessThan(300);
}

describe('secrets in the logs of a full run', () => {
  it('writes request logs at info and no password, token, key or card token in them', async () => {
    const base = await start();
    await shopping(base);
    await stop();
    // The run was logged: requests with their URLs, so a secret in a URL or a request line would show.
    expect(logs).toContain('"url":"/api/v1/auth/login"');
    expect(logs).toContain('"url":"/api/v1/orders"');
    const secrets = { ...SECRETS, ...handedOut, 'the card token': 'tok_visa' };
    const leaked = Object.entries(secrets)
      .filter(([, value]) => logs.includes(value) || (value.length > 40 && logs.includes(value.slice(-24))))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
  }, 120_000);
});
