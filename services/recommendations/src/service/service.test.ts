import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogService } from '@emporium/catalog';
import { createEvent, loadConfig, newId, type Infrastructure } from '@emporium/platform';
import { buildTestApp, testInfrastructure, testTokens, testUrls } from '@emporium/platform/testing';
import { createInventoryService, StockChanged } from '@emporium/inventory';
import { ORDER_PAID } from '@emporium/orders';
import { nameOf, pid, product, recsHarness } from './fakes.test-support.ts';
import { createRecommendationsService } from './service.ts';
import type { RecommendationList } from './types.ts';
import { RecsStore, type RecsDB } from './store.ts';
import { BehaviourRecorded } from './events.ts';

type Harness = Awaited<ReturnType<typeof recsHarness>>;

/** Hair care where everyone who views shampoo then views conditioner; towels are popular overall. */
function hairCatalogue() {
  return [
    product('shampoo', { title: 'Argan Shampoo', brand: 'Silk' }),
    product('conditioner', { title: 'Argan Conditioner', brand: 'Silk' }),
    product('hair-mask', { title: 'Argan Hair Mask', brand: 'Silk' }),
    product('towel', { title: 'Cotton Towel', categoryPath: ['Home', 'Bath'], brand: 'Loom' }),
    product('lotion', { title: 'Body Lotion', categoryPath: ['Beauty', 'Skin'], brand: 'Dew' }),
    product('soap', { title: 'Olive Soap', categoryPath: ['Beauty', 'Skin'], brand: 'Dew' }),
    product('sponge', { title: 'Bath Sponge', categoryPath: ['Home', 'Bath'], brand: 'Loom' }),
    product('drill', { title: 'Cordless Drill', categoryPath: ['Tools', 'Power'], brand: 'Bolt' }),
    product('saw', { title: 'Cordless Saw', categoryPath: ['Tools', 'Power'], brand: 'Bolt' }),
  ];
}

const SEQUENCES: string[][] = [
  ...Array.from({ length: 6 }, () => ['towel', 'shampoo', 'conditioner']),
  ...Array.from({ length: 4 }, () => ['soap', 'towel', 'sponge']),
  ...Array.from({ length: 8 }, () => ['towel', 'lotion']),
];

async function seedViews(h: Harness, sequences = SEQUENCES) {
  for (const [i, seq] of sequences.entries()) {
    await h.api.record(
      { sessionId: `seed-${i}` },
      seq.map((name) => ({ type: 'view', productId: pid(name) })),
    );
  }
}

async function get(h: Harness, query: string, headers: Record<string, string> = {}) {
  const res = await h.app.inject({ method: 'GET', url: `/api/v1/recommendations?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RecommendationList>();
}

const ids = (list: RecommendationList) => list.items.map((i) => nameOf(i.id));

describe('signal ingestion', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue(), { capPerActor: 5 });
  });
  afterAll(() => h.close());

  it('stores anonymous and signed-in events and answers 202 with the count', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: {
        sessionId: 'sess-1',
        events: [
          { type: 'view', productId: pid('shampoo') },
          { type: 'search', query: 'argan' },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ accepted: 2 });
    const token = await h.tokens.tokenFor({ id: 'user-signed-in', role: 'customer' });
    const signed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${token}`, 'x-session-id': 'sess-2' },
      payload: { events: [{ type: 'add_to_cart', productId: pid('conditioner') }] },
    });
    expect(signed.statusCode, signed.body).toBe(202);
    const rows = await h.db
      .forSchema<RecsDB>('recs')
      .selectFrom('interactions')
      .select(['user_id', 'session_id', 'kind', 'product_id', 'query'])
      .where('session_id', 'in', ['sess-1', 'sess-2'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { user_id: null, session_id: 'sess-1', kind: 'view', product_id: pid('shampoo'), query: null },
      { user_id: null, session_id: 'sess-1', kind: 'search', product_id: null, query: 'argan' },
      {
        user_id: 'user-signed-in',
        session_id: 'sess-2',
        kind: 'add_to_cart',
        product_id: pid('conditioner'),
        query: null,
      },
    ]);
  });

  it('puts one recommendations.behaviour.recorded event per stored row in its outbox, none for dropped ones', async () => {
    const session = `sess-outbox-${newId()}`;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: {
        sessionId: session,
        events: [
          { type: 'view', productId: pid('towel') },
          { type: 'click', productId: pid('soap') },
          { type: 'view', productId: newId() },
          { type: 'search', query: 'argan' },
        ],
      },
    });
    expect(res.json()).toEqual({ accepted: 3 });
    const events = await h.db
      .forSchema<RecsDB>('recs')
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where(sql<boolean>`payload->>'sessionId' = ${session}`)
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      {
        type: BehaviourRecorded.type,
        payload: { kind: 'view', sessionId: session, productId: pid('towel') },
      },
      {
        type: BehaviourRecorded.type,
        payload: { kind: 'click', sessionId: session, productId: pid('soap') },
      },
      { type: BehaviourRecorded.type, payload: { kind: 'search', sessionId: session, query: 'argan' } },
    ]);
  });

  it.each([
    ['an unknown type', { sessionId: 's', events: [{ type: 'like', productId: pid('x') }] }, 'type'],
    ['a view without a product', { sessionId: 's', events: [{ type: 'view' }] }, 'events/0/productId'],
    ['a search without a query', { sessionId: 's', events: [{ type: 'search' }] }, 'events/0/query'],
    [
      'an anonymous caller without a session',
      { events: [{ type: 'view', productId: pid('x') }] },
      'sessionId',
    ],
    ['no events', { sessionId: 's', events: [] }, 'events'],
    [
      'a productId that is not an id',
      { sessionId: 's', events: [{ type: 'view', productId: 'x' }] },
      'productId',
    ],
    [
      'more than 50 events',
      { sessionId: 's', events: Array.from({ length: 51 }, () => ({ type: 'view', productId: pid('x') })) },
      'events',
    ],
  ])('refuses %s with a 400 problem naming the field, storing nothing', async (_what, payload, field) => {
    const before = await countRows(h);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', payload });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toContain(field);
    expect(await countRows(h)).toBe(before);
  });

  it('keeps only the newest behaviour events per user, but every purchase', async () => {
    const userId = `capped-${newId()}`;
    await h.api.record({ userId }, [{ type: 'view', productId: pid('drill') }]);
    await h.api.signals.onOrderPaid(paidEvent(userId, ['saw-sku']));
    const views = ['shampoo', 'conditioner', 'hair-mask', 'towel', 'lotion', 'soap', 'sponge'];
    await h.api.record(
      { userId },
      views.map((name) => ({ type: 'view', productId: pid(name) })),
    );
    const rows = await userRows(h, userId);
    expect(rows.filter((r) => r.kind === 'view').map((r) => nameOf(r.product_id!))).toEqual(views.slice(-5));
    expect(rows.filter((r) => r.kind === 'purchase').map((r) => nameOf(r.product_id!))).toEqual(['saw']);
  });

  it('records a paid order as purchases of its products once, however often it is delivered', async () => {
    const userId = `buyer-${newId()}`;
    const event = paidEvent(userId, ['shampoo-sku', 'towel-sku']);
    await h.bus.publish(event);
    await h.bus.publish(event);
    await expect.poll(async () => (await userRows(h, userId)).length).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    const rows = await userRows(h, userId);
    expect(rows.map((r) => nameOf(r.product_id!)).sort()).toEqual(['shampoo', 'towel']);
  });

  it('sweeps interactions older than the retention and keeps the rest', async () => {
    const sessionId = `old-${newId()}`;
    const store = new RecsStore(h.db.forSchema('recs'));
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await store.insert([
      { sessionId, kind: 'view', productId: pid('drill'), occurredAt: old },
      { sessionId, kind: 'view', productId: pid('saw') },
    ]);
    expect(await store.sweep(180)).toBeGreaterThanOrEqual(1);
    const left = await h.db
      .forSchema<RecsDB>('recs')
      .selectFrom('interactions')
      .select('product_id')
      .where('session_id', '=', sessionId)
      .execute();
    expect(left).toEqual([{ product_id: pid('saw') }]);
  });
});

function paidEvent(customerId: string, skus: string[]) {
  return createEvent(ORDER_PAID, newId(), {
    orderId: newId(),
    customerId,
    total: { amount: 1000, currency: 'USD' },
    fulfilments: [{ id: newId(), sellerId: 's1', lines: skus.map((sku) => ({ sku, quantity: 1 })) }],
    shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
  });
}

async function countRows(h: Harness): Promise<number> {
  const r = await h.db
    .forSchema<RecsDB>('recs')
    .selectFrom('interactions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function userRows(h: Harness, userId: string) {
  return h.db
    .forSchema<RecsDB>('recs')
    .selectFrom('interactions')
    .select(['kind', 'product_id'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

describe('training from the interaction log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue(), { trainInWorker: true });
    await seedViews(h);
  });
  afterAll(() => h.close());

  it('trains in a worker, writes a versioned artifact and serves its neighbours', async () => {
    const info = await h.api.train();
    expect(info).toMatchObject({ users: SEQUENCES.length, items: 6 });
    const current = readFileSync(join(h.dataDir, 'recs', 'current'), 'utf8').trim();
    expect(current).toBe(`${info!.version}.recs`);
    expect(existsSync(join(h.dataDir, 'recs', current))).toBe(true);
    const list = await get(h, `placement=product&productId=${pid('shampoo')}&limit=3`);
    expect(list.strategy).toBe('viewed-together');
    expect(list.modelVersion).toBe(info!.version);
    expect(ids(list)[0]).toBe('conditioner');
  });

  it('loads the current artifact at start instead of training again', async () => {
    const again = await h.build({ trainAtStart: true });
    await again.module.start?.();
    const list = await again.api.recommend({ sessionId: 'seed-0', placement: 'home', limit: 3 });
    expect(list.strategy).toBe('personalised');
    await again.module.stop?.();
  });
});

describe('serving filters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue());
    await seedViews(h);
    await h.api.train();
  });
  afterAll(() => h.close());

  it('never recommends an out-of-stock product, with one catalog and one stock call', async () => {
    h.inventory.outOfStock.add('conditioner-sku');
    const [products, stock] = [h.catalog.getProductsCalls, h.inventory.calls];
    const list = await get(h, `placement=product&productId=${pid('shampoo')}&limit=5`);
    expect(ids(list)).not.toContain('conditioner');
    expect(list.items.length).toBeGreaterThan(0);
    expect([h.catalog.getProductsCalls - products, h.inventory.calls - stock]).toEqual([1, 1]);
    h.inventory.outOfStock.clear();
  });

  it('never recommends what the customer already bought, nor an archived product', async () => {
    const userId = `bought-${newId()}`;
    await h.api.signals.onOrderPaid(paidEvent(userId, ['conditioner-sku']));
    await h.api.record({ userId }, [{ type: 'view', productId: pid('shampoo') }]);
    h.catalog.products.set(
      pid('lotion'),
      product('lotion', { status: 'archived', categoryPath: ['Beauty', 'Skin'] }),
    );
    const token = await h.tokens.tokenFor({ id: userId, role: 'customer' });
    const list = await get(h, 'placement=home&limit=10', { authorization: `Bearer ${token}` });
    expect(list.strategy).toBe('personalised');
    expect(ids(list)).not.toContain('conditioner');
    expect(ids(list)).not.toContain('lotion');
    expect(ids(list)).not.toContain('shampoo');
    h.catalog.products.set(pid('lotion'), product('lotion', { categoryPath: ['Beauty', 'Skin'] }));
  });

  it('completes the order from the cart without repeating what is in it', async () => {
    const sessionId = `cart-${newId()}`;
    await h.api.record({ sessionId }, [{ type: 'add_to_cart', productId: pid('shampoo') }]);
    const list = await get(h, `placement=cart&limit=3&sessionId=${sessionId}`);
    expect(list.strategy).toBe('complete-the-order');
    expect(ids(list)[0]).toBe('conditioner');
    expect(ids(list)).not.toContain('shampoo');
  });

  it('answers 400 for a product placement without a product and for a bad limit', async () => {
    for (const q of ['placement=product', 'placement=home&limit=0', 'placement=nowhere']) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/recommendations?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('stock cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue(), { stockCacheMs: 60_000 });
    await seedViews(h);
    await h.api.train();
  });
  afterAll(() => h.close());

  it('reuses stock between requests and drops a sku on inventory.stock.changed', async () => {
    const query = `placement=product&productId=${pid('shampoo')}&limit=5`;
    expect(ids(await get(h, query))).toContain('conditioner');
    const calls = h.inventory.calls;
    h.inventory.outOfStock.add('conditioner-sku');
    await get(h, query);
    expect(h.inventory.calls).toBe(calls);
    const data = { sku: 'conditioner-sku', available: 0, inStock: false, onHand: 0, reserved: 0 };
    await h.bus.publish(StockChanged.create('conditioner-sku', data));
    // the TTL is a minute: only the event can make the next requests see the change
    await expect.poll(async () => ids(await get(h, query)), { timeout: 5_000 }).not.toContain('conditioner');
    expect(h.inventory.calls).toBeGreaterThan(calls);
  });
});

describe('cold start', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue());
  });
  afterAll(() => h.close());

  it('serves the best-rated catalogue when nobody has interacted yet', async () => {
    const list = await get(h, 'placement=home&limit=4');
    expect(list.strategy).toBe('catalogue-top-rated');
    expect(list.items).toHaveLength(4);
  });

  it('gives a new user trending items, first in the categories of the session', async () => {
    await seedViews(h);
    const anonymous = await get(h, 'placement=home&limit=3&sessionId=fresh');
    expect(anonymous.strategy).toBe('trending');
    expect(ids(anonymous)[0]).toBe('towel');
    await h.api.record({ sessionId: 'browsing-tools' }, [{ type: 'view', productId: pid('drill') }]);
    const browsing = await get(h, 'placement=home&limit=3', { 'x-session-id': 'browsing-tools' });
    expect(browsing.strategy).toBe('trending-in-categories');
    expect(ids(browsing)).not.toContain('drill');
  });

  it('gives a new product neighbours by content until it has interactions', async () => {
    await h.api.train();
    const doc = product('argan-oil', { title: 'Argan Hair Oil', brand: 'Silk' });
    h.catalog.products.set(doc.id, doc);
    await h.bus.publish(createEvent('catalog.product.created', doc.id, doc));
    // On JetStream the event reaches the consumer after publish returns: wait for it, as a client would.
    await expect
      .poll(async () => (await get(h, `placement=product&productId=${pid('argan-oil')}&limit=3`)).strategy, {
        timeout: 5_000,
      })
      .toBe('content-neighbours');
    const list = await get(h, `placement=product&productId=${pid('argan-oil')}&limit=3`);
    expect(ids(list).slice(0, 3).sort()).toEqual(['conditioner', 'hair-mask', 'shampoo']);
  });
});

describe('model swap under load', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await recsHarness(hairCatalogue(), { trainInWorker: true });
    await seedViews(h);
    await h.api.train();
  });
  afterAll(() => h.close());

  it('serves no error and no empty list while models are swapped several times', async () => {
    const versions = new Set<string>();
    let stop = false;
    const failures: string[] = [];
    const client = async (n: number) => {
      while (!stop) {
        const placement = ['home', 'product', 'cart'][n % 3]!;
        const res = await h.app.inject({
          method: 'GET',
          url: `/api/v1/recommendations?placement=${placement}&productId=${pid('shampoo')}&limit=3&sessionId=seed-${n}`,
        });
        const body = res.json<RecommendationList>();
        if (res.statusCode !== 200 || body.items.length === 0) failures.push(`${res.statusCode} ${res.body}`);
        if (body.modelVersion) versions.add(body.modelVersion);
        // inject() over in-memory PGlite never leaves the microtask queue: let the worker's messages in
        await new Promise((r) => setImmediate(r));
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    for (let i = 0; i < 3; i++) {
      await h.api.record({ sessionId: `swap-${i}` }, [
        { type: 'view', productId: pid('drill') },
        { type: 'view', productId: pid('saw') },
      ]);
      expect(await h.api.train()).toBeDefined();
    }
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(versions.size).toBeGreaterThanOrEqual(3);
  });
});

// Signals that name no product, against the real catalog (whose product ids are uuids): refused or
// dropped at the edge, and harmless to serving when one was stored anyway (before validation existed).
// In this file rather than its own: on a shared PostgreSQL the suites above truncate the same log.
const BAD_ID = 'not-a-product-id';

describe(`behaviour signals naming no product (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let infra: Infrastructure;
  let dataDir: string;
  let catalog: Awaited<ReturnType<typeof createCatalogService>>;
  let inventory: Awaited<ReturnType<typeof createInventoryService>>;
  let verifier: Awaited<ReturnType<typeof testTokens>>['verifier'];
  const products: string[] = [];

  beforeAll(async () => {
    infra = await testInfrastructure();
    dataDir = mkdtempSync(join(tmpdir(), 'recs-bad-signals-'));
    const config = { ...loadConfig({ DATA_DIR: dataDir }), seedDemoData: false };
    inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
    catalog = await createCatalogService({ config, infra }, { inventory: inventory.api });
    const seller = { id: newId(), role: 'seller' as const };
    for (const title of ['Argan Shampoo', 'Argan Conditioner', 'Argan Hair Mask']) {
      const sku = `RECS-${newId()}`;
      const { product } = await catalog.catalog.createProduct(seller, {
        title,
        description: 'hair care',
        brand: 'Silk',
        category: 'Beauty/Hair',
        status: 'active',
        variants: [{ sku, price: { amount: 1200, currency: 'USD' }, stock: 5 }],
      });
      products.push(product.id);
    }
    verifier = (await testTokens()).verifier;
  });
  afterAll(async () => {
    await infra.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A start of the recommendations service on the shared data dir and database, as after a restart. */
  async function start() {
    const config = { ...loadConfig({ DATA_DIR: dataDir }), seedDemoData: false };
    const service = await createRecommendationsService(
      { config, infra },
      {
        catalog: catalog.api,
        inventory: inventory.api,
        options: {
          trainIntervalMs: 0,
          trainAtStart: false,
          trainInWorker: false,
          minSequences: 2,
          sweepIntervalMs: 0,
        },
      },
    );
    await service.module.start?.();
    const app = await buildTestApp([service.module], verifier);
    return {
      ...service,
      app,
      async stop() {
        await app.close();
        await service.module.stop?.();
      },
    };
  }

  const events = (sessionId: string, ...productIds: string[]) => ({
    sessionId,
    events: productIds.map((productId) => ({ type: 'view', productId })),
  });

  it('refuses an event whose productId is not an id, with a 400 naming it, and stores nothing', async () => {
    const recs = await start();
    try {
      const res = await recs.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: events('anonymous-1', products[0]!, BAD_ID),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors).toMatchObject([{ field: expect.stringMatching(/events.1.productId$/) }]);
      expect(await sessionProducts('anonymous-1')).toEqual([]);
    } finally {
      await recs.stop();
    }
  });

  it('drops events of unknown products and stores the rest', async () => {
    const recs = await start();
    try {
      const res = await recs.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: events('anonymous-2', products[0]!, newId(), products[1]!),
      });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toEqual({ accepted: 2 });
      expect(await sessionProducts('anonymous-2')).toEqual([products[0], products[1]]);
    } finally {
      await recs.stop();
    }
  });

  it('serves every placement after a restart although a stored signal names no product', async () => {
    // Rows written before the edge validated ids: the bad id trends and is in the trained model.
    const store = new RecsStore(infra.db.forSchema<RecsDB>('recs'));
    for (let i = 0; i < 4; i++) {
      await store.insert([
        { sessionId: `poisoned-${i}`, kind: 'view', productId: products[0]! },
        { sessionId: `poisoned-${i}`, kind: 'view', productId: BAD_ID },
        { sessionId: `poisoned-${i}`, kind: 'add_to_cart', productId: products[1]! },
      ]);
    }
    const recs = await start();
    try {
      expect(await recs.api.train()).toBeDefined();
      const queries = [
        'placement=home&limit=5',
        'placement=home&limit=5&sessionId=poisoned-0',
        `placement=product&productId=${products[0]}&limit=5`,
        `placement=product&productId=${BAD_ID}&limit=5`,
        'placement=cart&limit=5&sessionId=poisoned-1',
      ];
      for (const query of queries) {
        const res = await recs.app.inject({ url: `/api/v1/recommendations?${query}` });
        expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
        const ids = res.json().items.map((item: { id: string }) => item.id);
        expect(ids, query).not.toContain(BAD_ID);
      }
    } finally {
      await recs.stop();
    }
  });

  async function sessionProducts(sessionId: string) {
    const rows = await infra.db
      .forSchema<RecsDB>('recs')
      .selectFrom('interactions')
      .select('product_id')
      .where('session_id', '=', sessionId)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.product_id);
  }
});
