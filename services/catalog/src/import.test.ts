import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { catalogHarness, type Harness } from './test-harness.ts';
import { importProducts } from './importer.ts';
import { placeholderImage } from './images.ts';
import { generateCatalog } from './generator.ts';
import type { CatalogDB } from './schema.ts';

describe(`catalog import and images (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => (h = await catalogHarness()));
  afterAll(() => h.close());

  const outboxCount = async (sellerId: string, types = 'catalog.product.%') => {
    const db = h.infra.db.forSchema<CatalogDB>('catalog');
    const rows = await db
      .selectFrom('outbox')
      .select('id')
      .where('type', 'like', types)
      .where('subject', 'in', (eb) =>
        eb
          .selectFrom('products')
          .select(sql<string>`id::text`.as('id'))
          .where('seller_id', '=', sellerId),
      )
      .execute();
    return rows.length;
  };

  it('lands good rows, reports bad ones by line, and changes nothing on a re-run', async () => {
    const t = newId().slice(-8);
    const seller = { id: newId(), role: 'seller' as const };
    const csv = [
      'handle,sku,title,brand,category,price,currency,stock,attributes,variant_attributes',
      `,A1-${t},Claw Hammer,Acme,Tools/Hammers,12.50,USD,3,material=steel,`,
      `,A2-${t},,Acme,Tools/Hammers,5.00,USD,,,`,
      `,A3-${t},Bad price,Acme,Tools/Hammers,abc,USD,,,`,
      `TEE-${t},T-S-${t},Tee,Acme,Fashion/Tops,10.00,USD,1,,size=S`,
      `TEE-${t},T-M-${t},,,,11.00,USD,2,,size=M`,
      `"Q, ${t}",Q1-${t},"A ""quoted"" title",Acme,Tools,1.00,USD,,,`,
      `,B1-${t},Short row,Acme`,
    ].join('\n');
    const run = () =>
      importProducts(h.catalog, {
        actor: seller,
        sellerId: seller.id,
        format: 'csv',
        input: Readable.from([csv]),
      });
    const first = await run();
    expect(first).toMatchObject({ rows: 7, created: 3, updated: 0, unchanged: 0, failed: 3 });
    expect(first.errors.map((e) => e.line)).toEqual([3, 4, 8]);
    expect(first.errors[0]!.errors[0]).toMatchObject({ field: 'title' });
    expect(first.errors[1]!.errors[0]).toMatchObject({ field: 'price' });
    const events = await outboxCount(seller.id);
    expect(events).toBe(3);
    // The hammer and the tee give stock: one request each, in the same transaction (ADR 0607).
    expect(await outboxCount(seller.id, 'catalog.stock.requested')).toBe(2);
    const tee = (await h.catalog.listProducts({ seller: seller.id, sort: 'price' }, false)).items.find(
      (i) => i.title === 'Tee',
    );
    const detail = await h.catalog.productDetail(tee!.id);
    expect(detail.variants.map((v) => [v.sku, v.price.amount, v.attributes.size])).toEqual([
      [`T-S-${t}`, 1000, 'S'],
      [`T-M-${t}`, 1100, 'M'],
    ]);
    expect(
      detail.variants.map((v) => (v as { availability?: { available: number } }).availability?.available),
    ).toEqual([1, 2]);

    const again = await run();
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, failed: 3 });
    expect(await outboxCount(seller.id)).toBe(events);
  });

  it("reports another seller's sku as a row error and imports the rest", async () => {
    const t = newId().slice(-8);
    const alice = { id: newId(), role: 'seller' as const };
    const bob = { id: newId(), role: 'seller' as const };
    const line = (sku: string, title: string) =>
      JSON.stringify({
        title,
        category: 'Tools',
        variants: [{ sku, price: { amount: 100, currency: 'USD' } }],
      });
    await importProducts(h.catalog, {
      actor: alice,
      sellerId: alice.id,
      format: 'ndjson',
      input: Readable.from([line(`X-${t}`, 'Alice thing') + '\n']),
    });
    const report = await importProducts(h.catalog, {
      actor: bob,
      sellerId: bob.id,
      format: 'ndjson',
      input: Readable.from([[line(`X-${t}`, 'Stolen'), '{not json', line(`Y-${t}`, 'Bob thing')].join('\n')]),
    });
    expect(report).toMatchObject({ created: 1, failed: 2 });
    expect(report.errors.map((e) => e.line)).toEqual([1, 2]);
    expect(report.errors[0]!.errors[0]!.message).toContain('another seller');
    const [variant] = await h.api.getVariants([`X-${t}`]);
    expect(variant).toMatchObject({ sellerId: alice.id, title: 'Alice thing' });
  });

  it('imports NDJSON over HTTP from the generator, streamed, with a report', async () => {
    const seller = { id: newId(), role: 'seller' as const };
    const token = await h.tokens.tokenFor(seller);
    const seed = Math.floor(Math.random() * 1e9);
    const body = [...generateCatalog(40, seed)].map((r) => JSON.stringify(r)).join('\n');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products/import',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 40, created: 40, failed: 0 });
    const mine = await h.app.inject({
      url: '/api/v1/seller/products?perPage=100',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(mine.json().items).toHaveLength(40);
  });

  it('writes the stored fields into the event document and drops the variants a write leaves out', async () => {
    const t = newId().slice(-8);
    const seller = { id: newId(), role: 'seller' as const };
    const price = (amount: number) => ({ amount, currency: 'USD' });
    const { product } = await h.catalog.createProduct(seller, {
      title: 'Saw',
      brand: 'Acme',
      category: 'Tools/Saws',
      variants: [
        { sku: `SAW-A-${t}`, price: price(1500) },
        { sku: `SAW-B-${t}`, price: price(1200) },
      ],
    });
    await h.catalog.attachImage(product.id, { key: `${t}.png`, width: 1, height: 1 });
    await h.catalog.updateProduct(seller, product.id, {
      variants: [{ sku: `SAW-B-${t}`, price: price(900) }],
    });
    const db = h.infra.db.forSchema<CatalogDB>('catalog');
    const events = await db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('subject', '=', product.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.type)).toEqual([
      'catalog.product.created',
      'catalog.product.updated',
      'catalog.product.updated',
    ]);
    const [stored] = await h.catalog.queries.documents(await h.catalog.queries.products([product.id]));
    expect(events[2]!.payload).toEqual(stored);
    expect(stored).toMatchObject({ price: price(900), skus: [`SAW-B-${t}`], image: expect.any(String) });
    expect(await h.api.getVariants([`SAW-A-${t}`, `SAW-B-${t}`])).toHaveLength(1);
  });

  it('stores an upload under its content hash with renditions served as immutable', async () => {
    const seller = { id: newId(), role: 'seller' as const };
    const other = { id: newId(), role: 'seller' as const };
    const token = await h.tokens.tokenFor(seller);
    const { product } = await h.catalog.createProduct(seller, {
      title: 'Pictured',
      category: 'Art',
      variants: [{ sku: `IMG-${newId().slice(-12)}`, price: { amount: 500, currency: 'USD' } }],
    });
    const png = await placeholderImage('Pictured Thing', '#336699');
    const upload = (bytes: Buffer, tok: string, type = 'image/png') =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/seller/products/${product.id}/images`,
        headers: { authorization: `Bearer ${tok}`, 'content-type': type },
        payload: bytes,
      });
    const res = await upload(png, token);
    expect(res.statusCode).toBe(201);
    const image = res.json().images[0];
    expect(image.key).toMatch(/^[0-9a-f]{32}\.png$/);
    const served = await h.app.inject({ url: image.detailUrl });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['cache-control']).toContain('immutable');
    expect((await upload(png, token)).json().images).toHaveLength(1);
    const fake = await upload(Buffer.from('GIF? no, just text pretending'), token);
    expect(fake.statusCode).toBe(400);
    expect((await upload(png, await h.tokens.tokenFor(other))).statusCode).toBe(403);
    const listing = (await h.catalog.listProducts({ seller: seller.id })).items[0];
    expect(listing?.image).toBe(image.listingUrl);
  });
});
