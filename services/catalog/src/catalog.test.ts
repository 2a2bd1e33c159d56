import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, OutboxRelay, type DomainEvent } from '@emporium/platform';
import { testServiceTokens, testUrls } from '@emporium/platform/testing';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import type { CatalogDB } from './schema.ts';
import { CatalogHttpClient } from './client.ts';

describe(`catalog seller API and browse (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  const alice = { id: newId(), role: 'seller' as const };
  const bob = { id: newId(), role: 'seller' as const };
  let aliceToken: string;
  let bobToken: string;

  beforeAll(async () => {
    h = await catalogHarness();
    aliceToken = await h.tokens.tokenFor(alice);
    bobToken = await h.tokens.tokenFor(bob);
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const create = async (token: string, body: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/seller/products', headers: as(token), payload: body });

  it('creates a product with variants, breadcrumbs and stock forwarded to inventory', async () => {
    const body = productBody();
    const res = await create(aliceToken, body);
    expect(res.statusCode).toBe(201);
    const product = res.json();
    expect(product.variants.map((v: { sku: string }) => v.sku)).toEqual(body.variants.map((v) => v.sku));
    expect(product.price).toEqual({ amount: 8999, currency: 'EUR' });
    expect(product.breadcrumbs.map((b: { name: string }) => b.name)).toEqual(['Sports', 'Running', 'Shoes']);
    const detail = (await h.app.inject({ url: `/api/v1/products/${product.id}` })).json();
    expect(detail.variants[0].availability).toEqual({ available: 5, inStock: true });
    expect(detail.availability.inStock).toBe(true);
  });

  it('answers per-field validation errors and writes nothing', async () => {
    const res = await create(
      aliceToken,
      productBody({ title: ' ', variants: [{ sku: 'bad sku!', price: { amount: 1.5, currency: 'eur' } }] }),
    );
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'title',
        'variants[0].sku',
        'variants[0].price.amount',
        'variants[0].price.currency',
      ]),
    );
  });

  it("re-posting a seller's own sku is an idempotent upsert; another seller's sku is a 409", async () => {
    const body = productBody();
    const first = (await create(aliceToken, body)).json();
    const again = await create(aliceToken, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.id);
    expect(again.json().version).toBe(first.version);
    const stolen = await create(bobToken, { ...productBody(), variants: [body.variants[0]] });
    expect(stolen.statusCode).toBe(409);
    const bobs = (await h.app.inject({ url: '/api/v1/seller/products', headers: as(bobToken) })).json();
    expect(bobs.items).toHaveLength(0);
  });

  it("hides another seller's drafts (404) and refuses changes to its products (403), changing nothing", async () => {
    const draft = (await create(aliceToken, productBody({ status: 'draft' }))).json();
    const active = (await create(aliceToken, productBody())).json();
    const bobSees = (id: string) =>
      h.app.inject({ url: `/api/v1/seller/products/${id}`, headers: as(bobToken) });
    expect((await bobSees(draft.id)).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/api/v1/products/${draft.id}` })).statusCode).toBe(404);
    expect(
      (await h.app.inject({ url: `/api/v1/products/${draft.id}`, headers: as(bobToken) })).statusCode,
    ).toBe(404);
    expect(
      (await h.app.inject({ url: `/api/v1/products/${draft.id}`, headers: as(aliceToken) })).statusCode,
    ).toBe(200);
    const patch = (id: string) =>
      h.app.inject({
        method: 'PATCH',
        url: `/api/v1/seller/products/${id}`,
        headers: as(bobToken),
        payload: { title: 'Mine now' },
      });
    expect((await patch(draft.id)).statusCode).toBe(404);
    expect((await patch(active.id)).statusCode).toBe(403);
    const archive = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/seller/products/${active.id}`,
      headers: as(bobToken),
    });
    expect(archive.statusCode).toBe(403);
    const stock = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/seller/inventory/${active.variants[0].sku}`,
      headers: as(bobToken),
      payload: { onHand: 0 },
    });
    expect([403, 404]).toContain(stock.statusCode);
    const after = (
      await h.app.inject({ url: `/api/v1/seller/products/${active.id}`, headers: as(aliceToken) })
    ).json();
    expect(after.title).toBe(active.title);
    expect(after.status).toBe('active');
    expect(after.version).toBe(active.version);
    const availability = await h.inventory.getAvailability([active.variants[0].sku]);
    expect(availability[active.variants[0].sku]?.available).toBe(5);
  });

  it('archives its own product: gone from browse, visible to its seller', async () => {
    const product = (await create(aliceToken, productBody())).json();
    const res = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/seller/products/${product.id}`,
      headers: as(aliceToken),
    });
    expect(res.statusCode).toBe(204);
    expect((await h.app.inject({ url: `/api/v1/products/${product.id}` })).statusCode).toBe(404);
    const own = (
      await h.app.inject({ url: `/api/v1/seller/products?status=archived`, headers: as(aliceToken) })
    ).json();
    expect(own.items.map((i: { id: string }) => i.id)).toContain(product.id);
  });

  it('pages a category with keyset cursors in price order, without gaps or repeats', async () => {
    const category = `Paging ${newId().slice(-8)}/Sub`;
    await h.catalog.taxonomy.ensurePath(category);
    const prices = [500, 100, 300, 300, 200, 400, 100];
    for (const amount of prices) {
      const body = productBody({ category });
      body.variants = [{ ...body.variants[0]!, price: { amount, currency: 'EUR' } }];
      expect((await create(aliceToken, body)).statusCode).toBe(201);
    }
    const parent = category.split('/')[0]!;
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const url = `/api/v1/products?category=${encodeURIComponent(parent)}&sort=price&perPage=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await h.app.inject({ url })).json();
      seen.push(...page.items.map((i: { price: { amount: number } }) => i.price.amount));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...prices].sort((a, b) => a - b));
    const bad = await h.app.inject({ url: '/api/v1/products?cursor=nonsense' });
    expect(bad.statusCode).toBe(400);
  });

  it('serves the category tree with counts that include subcategories', async () => {
    const root = `Tree ${newId().slice(-8)}`;
    await h.catalog.taxonomy.ensurePath(`${root}/A/Deep`);
    await h.catalog.taxonomy.ensurePath(`${root}/B`);
    await create(aliceToken, productBody({ category: `${root}/A/Deep` }));
    await create(aliceToken, productBody({ category: `${root}/B` }));
    const tree = (await h.app.inject({ url: '/api/v1/categories' })).json();
    const node = tree.find((n: { name: string }) => n.name === root);
    expect(node.productCount).toBe(2);
    expect(node.children.map((c: { name: string }) => c.name).sort()).toEqual(['A', 'B']);
  });

  it('through the gateway: 304 on If-None-Match, and fresh right after an update', async () => {
    const product = (await create(aliceToken, productBody())).json();
    const url = `/api/v1/products/${product.id}`;
    const first = await h.app.inject({ url });
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    expect((await h.app.inject({ url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/seller/products/${product.id}`,
      headers: as(aliceToken),
      payload: { title: 'Renamed shoe' },
    });
    expect(patched.statusCode).toBe(200);
    const fresh = await h.app.inject({ url, headers: { 'if-none-match': etag } });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().title).toBe('Renamed shoe');
  });

  it('answers the CatalogApi: variants, products and the reindex listing', async () => {
    const product = (await create(aliceToken, productBody())).json();
    const sku = product.variants[1].sku;
    const [variant] = await h.api.getVariants([sku, 'NO-SUCH-SKU']);
    expect(variant).toMatchObject({
      sku,
      productId: product.id,
      sellerId: alice.id,
      price: { amount: 9499, currency: 'EUR' },
      status: 'active',
    });
    const [summary] = await h.api.getProducts([product.id]);
    expect(summary?.categoryPath).toEqual(['Sports', 'Running', 'Shoes']);
    let cursor: string | undefined;
    const ids = new Set<string>();
    do {
      const page = await h.api.listAllProducts(cursor, 5);
      page.items.forEach((d) => ids.add(d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.has(product.id)).toBe(true);
  });

  it('answers the same through CatalogHttpClient over the internal routes', async () => {
    const product = (await create(aliceToken, productBody())).json();
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const client = new CatalogHttpClient(address, { tokens: testServiceTokens });
    expect(await client.getVariants([product.variants[0].sku])).toEqual(
      await h.api.getVariants([product.variants[0].sku]),
    );
    expect(await client.getProducts([product.id])).toEqual(await h.api.getProducts([product.id]));
    const page = await client.listAllProducts(undefined, 2);
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeTruthy();
  });
});

describe(`catalog events (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => (h = await catalogHarness()));
  afterAll(() => h.close());

  it('writes exactly one event per change, delivered once even with the relay killed mid-way', async () => {
    const seller = { id: newId(), role: 'seller' as const };
    const db = h.infra.db.forSchema<CatalogDB>('catalog');
    const received = new Map<string, DomainEvent>();
    const duplicates: string[] = [];
    const sub = await h.infra.bus.subscribe(`catalog-test-${newId().slice(-6)}`, ['catalog.>'], async (e) => {
      if (received.has(e.id)) duplicates.push(e.id);
      received.set(e.id, e);
    });
    let relay = new OutboxRelay(db, h.infra.bus, { idleMs: 5 });
    relay.start();
    const changes: { id: string; type: string }[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { product, created } = await h.catalog.createProduct(seller, productBody());
      expect(created).toBe(true);
      ids.push(product.id);
      changes.push({ id: product.id, type: 'catalog.product.created' });
      // Its body gives stock, which travels through the same outbox (ADR 0607).
      changes.push({ id: product.id, type: 'catalog.stock.requested' });
      if (i % 4 === 1) {
        // Kill the relay mid-way and start a new one, as a crashed process would.
        await relay.stop();
        relay = new OutboxRelay(db, h.infra.bus, { idleMs: 5 });
        relay.start();
      }
      await h.catalog.updateProduct(seller, product.id, { title: `Changed ${i}` });
      changes.push({ id: product.id, type: 'catalog.product.updated' });
      await h.catalog.updateProduct(seller, product.id, { title: `Changed ${i}` }); // no change: no event
      if (i % 3 === 0) {
        await h.catalog.archiveProduct(seller, product.id);
        changes.push({ id: product.id, type: 'catalog.product.archived' });
      }
    }
    const deadline = Date.now() + 10_000;
    const mine = () => [...received.values()].filter((e) => ids.includes(e.subject));
    while (mine().length < changes.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await relay.stop();
    await sub.stop();
    const got = mine().map((e) => ({ id: e.subject, type: e.type }));
    expect(got.sort(byKey)).toEqual([...changes].sort(byKey));
    const outboxRows = await db.selectFrom('outbox').select('id').where('subject', 'in', ids).execute();
    expect(outboxRows).toHaveLength(changes.length);
    const archived = mine().find((e) => e.type === 'catalog.product.archived')!;
    expect(archived.data).toMatchObject({
      status: 'archived',
      sellerId: seller.id,
      categoryPath: ['Sports', 'Running', 'Shoes'],
    });
    expect(duplicates.length === 0 || testUrls.nats).toBeTruthy();
  });
});

const byKey = (a: { id: string; type: string }, b: { id: string; type: string }) =>
  (a.id + a.type).localeCompare(b.id + b.type);
