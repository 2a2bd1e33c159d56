import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import { importProducts } from './importer.ts';
import { editDistance } from './taxonomy.ts';
import type { CatalogDB } from './schema.ts';

describe(`admin-managed categories (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  const seller = { id: newId(), role: 'seller' as const };
  const other = { id: newId(), role: 'seller' as const };
  const admin = { id: newId(), role: 'admin' as const };
  const tokens: Record<string, string> = {};
  const tag = newId().slice(-8);

  beforeAll(async () => {
    // A store priced in euros: import rows without a currency must take it.
    h = await catalogHarness({}, undefined, { STORE_CURRENCY: 'EUR' });
    for (const actor of [seller, other, admin]) tokens[actor.id] = await h.tokens.tokenFor(actor);
  });
  afterAll(() => h.close());

  const call = (
    actor: { id: string },
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${tokens[actor.id]}` },
      ...(payload ? { payload } : {}),
    });
  const categoryRows = (pathLike: string) =>
    h.infra.db
      .forSchema<CatalogDB>('catalog')
      .selectFrom('categories')
      .select(['path', 'retired_at'])
      .where('path', 'like', pathLike)
      .execute();

  it('refuses a seller product in a category the tree lacks, naming the closest ones, creating nothing', async () => {
    const res = await call(
      seller,
      'POST',
      '/seller/products',
      productBody({ category: 'Fashon/Mens Shoos' }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.errors[0].field).toBe('category');
    expect(problem.errors[0].message).toContain('Fashion/Mens Shoes');
    expect(await categoryRows('fashon%')).toEqual([]);
    // "Home & Living" beside "Home" is exactly what sellers can no longer create.
    const beside = await call(seller, 'POST', '/seller/products', productBody({ category: 'Home & Living' }));
    expect(beside.statusCode).toBe(400);
    expect(await categoryRows('home-living%')).toEqual([]);
  });

  it('accepts a category of the tree by path or id', async () => {
    const tree = (await h.app.inject({ url: '/api/v1/categories' })).json() as {
      name: string;
      id: string;
      children: { name: string; id: string }[];
    }[];
    const home = tree.find((n) => n.name === 'Home')!;
    const lighting = home.children.find((c) => c.name === 'Lighting')!;
    const byId = await call(seller, 'POST', '/seller/products', productBody({ category: lighting.id }));
    expect(byId.statusCode).toBe(201);
    expect(byId.json().category.name).toBe('Lighting');
    const byPath = await call(seller, 'POST', '/seller/products', productBody({ category: 'home/lighting' }));
    expect(byPath.statusCode).toBe(201);
    expect(byPath.json().category.id).toBe(lighting.id);
  });

  it('lets only an admin create, rename, move and retire categories', async () => {
    const denied = await call(seller, 'POST', '/admin/categories', { name: `Garden ${tag}` });
    expect(denied.statusCode).toBe(403);
    expect(await categoryRows(`garden-${tag}%`)).toEqual([]);

    const root = await call(admin, 'POST', '/admin/categories', { name: `Garden ${tag}` });
    expect(root.statusCode).toBe(201);
    const child = await call(admin, 'POST', '/admin/categories', { name: 'Sheds', parentId: root.json().id });
    expect(child.json()).toMatchObject({ path: `garden-${tag}/sheds`, parentId: root.json().id });
    const leaf = await call(admin, 'POST', '/admin/categories', { name: 'Metal', parentId: child.json().id });
    expect((await call(admin, 'POST', '/admin/categories', { name: `garden ${tag}` })).statusCode).toBe(409);

    const renamed = await call(admin, 'PATCH', `/admin/categories/${child.json().id}`, {
      name: 'Garden Sheds',
    });
    expect(renamed.json().path).toBe(`garden-${tag}/garden-sheds`);
    const other = await call(admin, 'POST', '/admin/categories', { name: `Outdoor ${tag}` });
    const moved = await call(admin, 'PATCH', `/admin/categories/${child.json().id}`, {
      parentId: other.json().id,
    });
    expect(moved.json().path).toBe(`outdoor-${tag}/garden-sheds`);
    expect((await categoryRows(`outdoor-${tag}/%`)).map((r) => r.path).sort()).toEqual([
      `outdoor-${tag}/garden-sheds`,
      `outdoor-${tag}/garden-sheds/metal`,
    ]);
    // Below itself is refused and changes nothing.
    const loop = await call(admin, 'PATCH', `/admin/categories/${child.json().id}`, {
      parentId: leaf.json().id,
    });
    expect(loop.statusCode).toBe(400);
    expect((await categoryRows(`outdoor-${tag}/garden-sheds`)).length).toBe(1);

    const product = await call(seller, 'POST', '/seller/products', productBody({ category: leaf.json().id }));
    expect(product.statusCode).toBe(201);
    expect(product.json().breadcrumbs.map((b: { name: string }) => b.name)).toEqual([
      `Outdoor ${tag}`,
      'Garden Sheds',
      'Metal',
    ]);

    const retired = await call(admin, 'POST', `/admin/categories/${child.json().id}/retire`);
    expect(retired.json().retiredAt).toBeTruthy();
    expect((await categoryRows(`outdoor-${tag}/garden-sheds%`)).every((r) => r.retired_at !== null)).toBe(
      true,
    );
    const refused = await call(seller, 'POST', '/seller/products', productBody({ category: leaf.json().id }));
    expect(refused.statusCode).toBe(400);
    const tree = (await h.app.inject({ url: '/api/v1/categories' })).json() as {
      name: string;
      children: unknown[];
    }[];
    expect(tree.find((n) => n.name === `Outdoor ${tag}`)?.children).toEqual([]);
    // A product already in a retired category keeps it: its seller can still change and archive it.
    const id = product.json().id as string;
    expect((await call(seller, 'PATCH', `/seller/products/${id}`, { title: 'Still here' })).statusCode).toBe(
      200,
    );
    const browse = await h.app.inject({ url: `/api/v1/products?category=${leaf.json().id}` });
    expect(browse.statusCode).toBe(400);
  });

  it('takes proposals from sellers, which an admin approves (creating the category) or rejects', async () => {
    const path = `Fashion/Rain Boots ${tag}`;
    const first = await call(seller, 'POST', '/seller/category-proposals', {
      path,
      reason: 'we sell 40 models',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ status: 'pending', path, sellerId: seller.id });
    const again = await call(seller, 'POST', '/seller/category-proposals', { path });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const exists = await call(seller, 'POST', '/seller/category-proposals', { path: 'Fashion/Tops' });
    expect(exists.statusCode).toBe(409);
    const mine = (await call(other, 'GET', '/seller/category-proposals')).json();
    expect(mine.items.map((p: { id: string }) => p.id)).not.toContain(first.json().id);
    expect(
      (await call(seller, 'POST', `/admin/category-proposals/${first.json().id}/approve`, {})).statusCode,
    ).toBe(403);

    const pending = (await call(admin, 'GET', '/admin/category-proposals?status=pending')).json();
    expect(pending.items.map((p: { id: string }) => p.id)).toContain(first.json().id);
    const approved = await call(admin, 'POST', `/admin/category-proposals/${first.json().id}/approve`, {});
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect(
      (await call(admin, 'POST', `/admin/category-proposals/${first.json().id}/reject`, {})).statusCode,
    ).toBe(409);
    const seen = (await call(seller, 'GET', '/seller/category-proposals')).json();
    expect(seen.items.find((p: { id: string }) => p.id === first.json().id)).toMatchObject({
      status: 'approved',
      categoryId: approved.json().categoryId,
    });
    const product = await call(seller, 'POST', '/seller/products', productBody({ category: path }));
    expect(product.statusCode).toBe(201);
    expect(product.json().category.id).toBe(approved.json().categoryId);

    const wild = await call(other, 'POST', '/seller/category-proposals', { path: `Stuff ${tag}` });
    const rejected = await call(admin, 'POST', `/admin/category-proposals/${wild.json().id}/reject`, {
      note: 'use Home/Home Decoration',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', decisionNote: 'use Home/Home Decoration' });
    expect(await categoryRows(`stuff-${tag}%`)).toEqual([]);
  });

  it("imports a seller's rows only into existing categories, and prices rows without a currency in the store's", async () => {
    const t = newId().slice(-8);
    const csv = [
      'sku,title,category,price',
      `C1-${t},Lamp,Home/Lighting,12.50`,
      `C2-${t},Odd lamp,Home/Lightning Bolts,5.00`,
    ].join('\n');
    const report = await importProducts(h.catalog, {
      actor: seller,
      sellerId: seller.id,
      format: 'csv',
      input: Readable.from([csv]),
    });
    expect(report).toMatchObject({ created: 1, failed: 1 });
    expect(report.errors[0]).toMatchObject({ line: 3 });
    expect(report.errors[0]!.errors[0]!.message).toContain('Home/Lighting');
    const [variant] = await h.catalog.getVariants([`C1-${t}`]);
    expect(variant?.price).toEqual({ amount: 1250, currency: 'EUR' });
    expect(await categoryRows('home/lightning%')).toEqual([]);
  });

  it("creates an operator's import categories only when asked, and only for an admin", async () => {
    const t = newId().slice(-8);
    const row = (sku: string) =>
      `{"sku":"${sku}","title":"Kite","category":"Kites ${t}/Stunt","price_amount":999}`;
    const run = (actor: { id: string; role: 'seller' | 'admin' }, sku: string) =>
      importProducts(h.catalog, {
        actor,
        sellerId: seller.id,
        format: 'ndjson',
        input: Readable.from([row(sku)]),
        createCategories: true,
      });
    expect(await run(seller, `K1-${t}`)).toMatchObject({ failed: 1 });
    expect(await categoryRows(`kites-${t}%`)).toEqual([]);
    expect(await run(admin, `K2-${t}`)).toMatchObject({ created: 1, failed: 0 });
    expect((await categoryRows(`kites-${t}%`)).length).toBe(2);
  });

  it('measures edit distance', () => {
    expect(editDistance('fashon/mens shoos', 'fashion/mens shoes')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
