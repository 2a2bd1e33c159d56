import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';

describe(`browse: total, inStock, sorts named as search, bad parameters (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  const seller = { id: newId(), role: 'seller' as const };
  let token: string;
  const category = `Browse ${newId().slice(-8)}`;
  const ids: Record<string, string> = {};

  const within = async (ms: number, check: () => Promise<boolean>) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const browse = (query: string) => h.app.inject({ url: `/api/v1/products?${query}` });
  const idsOf = async (query: string) => {
    const res = await browse(query);
    expect(res.statusCode).toBe(200);
    return (res.json().items as { id: string }[]).map((i) => i.id);
  };

  beforeAll(async () => {
    h = await catalogHarness();
    // Started, so inventory's stock events reach the catalog (the in-stock flag follows them).
    await h.inventoryModule.start?.();
    await h.module.start?.();
    token = await h.tokens.tokenFor(seller);
    await h.catalog.taxonomy.ensurePath(`${category}/Sub`);
    const product = async (name: string, amount: number, stock?: number) => {
      const body = productBody({ title: `${name} ${category}`, category: `${category}/Sub` });
      body.variants = [
        {
          ...body.variants[0]!,
          price: { amount, currency: 'EUR' },
          ...(stock === undefined ? {} : { stock }),
        },
      ];
      delete (body.variants[0] as { stock?: number }).stock;
      if (stock !== undefined) Object.assign(body.variants[0]!, { stock });
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/seller/products',
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
      expect(res.statusCode).toBe(201);
      ids[name] = res.json().id as string;
    };
    await product('cheap', 100, 3);
    await product('dear', 900, 0);
    await product('middle', 500);
  });
  afterAll(() => h.close());

  it('answers the total of the filtered listing on every page', async () => {
    const first = (await browse(`category=${encodeURIComponent(category)}&perPage=2`)).json();
    expect(first).toMatchObject({ total: 3, perPage: 2 });
    expect(first.items).toHaveLength(2);
    const second = (
      await browse(`category=${encodeURIComponent(category)}&perPage=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second).toMatchObject({ total: 3 });
    expect(second.items).toHaveLength(1);
  });

  it('filters on inStock, as inventory last said', async () => {
    const q = `category=${encodeURIComponent(category)}`;
    await within(20_000, async () => (await idsOf(`${q}&inStock=true`)).length === 1);
    expect(await idsOf(`${q}&inStock=true`)).toEqual([ids.cheap]);
    expect((await idsOf(`${q}&inStock=false`)).sort()).toEqual([ids.dear, ids.middle].sort());
    expect((await browse(`${q}&inStock=true`)).json().total).toBe(1);
    // Stock set later (here by inventory directly) moves the product into the in-stock listing.
    const [sku] = (await h.catalog.getProducts([ids.middle!]))[0]!.skus;
    await h.inventory.setStock(seller, sku!, 4);
    await within(20_000, async () => (await idsOf(`${q}&inStock=true`)).includes(ids.middle!));
  });

  it('names its sorts as search does', async () => {
    const q = `category=${encodeURIComponent(category)}`;
    expect(await idsOf(`${q}&sort=price_asc`)).toEqual([ids.cheap, ids.middle, ids.dear]);
    expect(await idsOf(`${q}&sort=price_desc`)).toEqual([ids.dear, ids.middle, ids.cheap]);
    expect(await idsOf(`${q}&sort=price`)).toEqual([ids.cheap, ids.middle, ids.dear]);
    expect((await idsOf(`${q}&sort=bestselling`)).sort()).toEqual(Object.values(ids).sort());
    expect((await idsOf(`${q}&sort=newest`))[0]).toBe(ids.middle);
    const relevance = await browse(`${q}&sort=relevance`);
    expect(relevance.statusCode).toBe(400);
    expect(relevance.json().errors[0]).toMatchObject({ field: 'sort' });
    expect((await browse(`${q}&sort=cheapest`)).statusCode).toBe(400);
  });

  it('refuses an unknown category or an unknown parameter with a 400 problem, not an empty page', async () => {
    const unknown = await browse(`category=${encodeURIComponent(`${category}/Sbu`)}`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().errors[0].message).toContain(`${category}/Sub`);
    for (const query of ['colour=red', 'categroy=Home', 'page=2', `category=${newId()}`]) {
      const res = await browse(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('describes total, inStock and the sorts in the route schema (OpenAPI)', async () => {
    const doc = h.app.swagger() as {
      paths: Record<
        string,
        {
          get?: {
            parameters?: { name: string; schema: { enum?: string[] } }[];
            responses: Record<string, unknown>;
          };
        }
      >;
    };
    const get = doc.paths['/api/v1/products']!.get!;
    const names = get.parameters!.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['category', 'inStock', 'sort', 'cursor', 'perPage']));
    expect(JSON.stringify(get.parameters!.find((p) => p.name === 'sort'))).toContain('price_asc');
    expect(JSON.stringify(get.responses['200'])).toContain('total');
  });
});
