/**
 * Two stores on one Redis and one NATS server, told apart only by DEPLOYMENT_NAME (ADR 0010). Each has
 * its own embedded database, so anything one sees of the other came through the shared servers. Runs
 * when NATS_URL is set (see vitest.config.ts); REDIS_URL is used when set too, as in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createEvent,
  JetStreamEventBus,
  jetStreamNames,
  loadConfig,
  openInfrastructure,
  type DomainEvent,
  type Infrastructure,
} from '@emporium/platform';
import { freePort, silentLogger, testUrls } from '@emporium/platform/testing';
import { startServer, type RunningServer } from './server.ts';

const natsUrl = testUrls.nats!;
const run = randomBytes(3).toString('hex');
const RATE_LIMIT = 40;

async function startStore(deploymentName: string): Promise<RunningServer> {
  const config = loadConfig({
    DEPLOYMENT_NAME: deploymentName,
    REDIS_URL: testUrls.redis,
    NATS_URL: natsUrl,
    DATA_DIR: mkdtempSync(join(tmpdir(), `emp-${deploymentName}-`)),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    PAYMENTS_SANDBOX_PORT: String(await freePort()),
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  });
  return startServer(config, silentLogger());
}

/** Streams outlive the stores; a test run removes the ones it created. */
async function deleteStream(deploymentName: string): Promise<void> {
  const bus = await JetStreamEventBus.connect(natsUrl, {
    ...jetStreamNames(deploymentName),
    deleteStreamOnClose: true,
  });
  await bus.close();
}

async function registerSeller(base: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `seller-${run}@example.com`,
      password: `Tr0ub4dor&3-${run}`,
      name: 'Side Seller',
      role: 'seller',
      storeName: `Side Store ${run}`,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function createProduct(base: string, token: string, title: string): Promise<void> {
  const response = await fetch(`${base}/api/v1/seller/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      title,
      description: 'A lamp only one of the two stores sells',
      brand: 'Lumen',
      category: 'Home/Lighting',
      attributes: {},
      status: 'active',
      variants: [{ sku: `SIDE-${run}`, price: { amount: 2599, currency: 'USD' }, attributes: {} }],
    }),
  });
  expect(response.status).toBe(201);
}

const titles = async (base: string) => {
  const body = (await (await fetch(`${base}/api/v1/products`)).json()) as { items: { title: string }[] };
  return body.items.map((p) => p.title);
};

describe('two deployments on the same Redis and NATS', () => {
  const names = { a: `side-a-${run}`, b: `side-b-${run}` };
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    a = await startStore(names.a);
    b = await startStore(names.b);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const name of Object.values(names)) await deleteStream(name);
  });

  it("never serves one store's cached product lists to the other", async () => {
    // B's empty list is cached first, under the same path A's listing is cached under.
    expect(await titles(b.url)).toEqual([]);
    const token = await registerSeller(a.url);
    await createProduct(a.url, token, `Side lamp ${run}`);
    expect(await titles(a.url)).toContain(`Side lamp ${run}`);
    expect(await titles(b.url)).toEqual([]);
    expect(await titles(b.url)).toEqual([]);
  });

  it("keeps one store's anonymous rate-limit budget out of the other's", async () => {
    let status = 200;
    // Distinct URLs: a cached answer is not what this measures.
    for (let i = 1; i <= RATE_LIMIT + 1 && status !== 429; i++)
      status = (await fetch(`${a.url}/api/v1/products?perPage=${i}`)).status;
    expect(status).toBe(429);
    expect((await fetch(`${b.url}/api/v1/products?perPage=99`)).status).toBe(200);
  });
});

describe("two deployments' event buses on one NATS server", () => {
  const names = { a: `bus-a-${run}`, b: `bus-b-${run}` };
  const open = (deploymentName: string) =>
    openInfrastructure({
      databaseUrl: undefined,
      redisUrl: undefined,
      natsUrl,
      dataDir: '',
      inMemoryDatabase: true,
      deploymentName,
      logger: silentLogger(),
    });
  let a: Infrastructure;
  let b: Infrastructure;

  beforeAll(async () => {
    [a, b] = [await open(names.a), await open(names.b)];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const name of Object.values(names)) await deleteStream(name);
  });

  it("delivers every event to its own deployment's consumer and none to the other's of the same name", async () => {
    const seen: Record<'a' | 'b', DomainEvent[]> = { a: [], b: [] };
    // The same durable consumer name in both, as every service subscribes under a fixed name.
    await a.bus.subscribe('search-catalog', ['catalog.>'], async (e) => void seen.a.push(e));
    await b.bus.subscribe('search-catalog', ['catalog.>'], async (e) => void seen.b.push(e));
    const events = Array.from({ length: 8 }, (_, i) =>
      createEvent('catalog.product.created', `product-${i}`, { i }),
    );
    for (const event of events) await a.bus.publish(event);
    await expect.poll(() => seen.a.length, { timeout: 10_000 }).toBe(events.length);
    // Give a wrongly shared consumer time to hand B its share.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.b).toEqual([]);
  });
});
