import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import { importProducts } from './importer.ts';
import { placeholderImage } from './images.ts';

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): { errors?: { field: string }[] };
}

const fieldsOf = (res: Answer) => (res.json().errors ?? []).map((e) => e.field);
const expectProblem = (res: Answer, status = 400) => {
  expect({ status: res.statusCode, type: String(res.headers['content-type']).split(';')[0] }).toEqual({
    status,
    type: 'application/problem+json',
  });
};

describe(`catalog refuses bad money, wrong types and unsafe text (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => (h = await catalogHarness()));
  afterAll(() => h.close());

  const seller = () => ({ id: newId(), role: 'seller' as const });
  const as = async (who: { id: string; role: 'seller' }) => ({
    authorization: `Bearer ${await h.tokens.tokenFor(who)}`,
  });
  const withAmount = (amount: unknown) => {
    const body = productBody();
    return { ...body, variants: [{ ...body.variants[0]!, price: { amount, currency: 'EUR' } }] };
  };
  const ownProducts = async (who: { id: string; role: 'seller' }) =>
    (await h.catalog.listProducts({ seller: who.id }, false)).items;

  it.each([
    [0, 'variants[0].price.amount'],
    [-1, 'variants[0].price.amount'],
    [1.5, 'variants[0].price.amount'],
    [null, 'body.variants.0.price.amount'],
    ['100', 'body.variants.0.price.amount'],
    [true, 'body.variants.0.price.amount'],
  ])('refuses a new product priced %j with a 400 naming %s, storing nothing', async (amount, field) => {
    const who = seller();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers: await as(who),
      payload: withAmount(amount),
    });
    expectProblem(res);
    expect(fieldsOf(res)).toContain(field);
    expect(await ownProducts(who)).toEqual([]);
  });

  it('refuses a price of 0 or null in an update or a replaced variant list, changing nothing', async () => {
    const who = seller();
    const headers = await as(who);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers,
      payload: productBody(),
    });
    expect(created.statusCode).toBe(201);
    const product = created.json() as {
      id: string;
      version: number;
      variants: { sku: string; price: { amount: number } }[];
    };
    const patch = (variants: unknown) =>
      h.app.inject({
        method: 'PATCH',
        url: `/api/v1/seller/products/${product.id}`,
        headers,
        payload: { variants },
      });
    const [first, second] = product.variants;
    const zero = await patch([{ sku: first!.sku, price: { amount: 0, currency: 'EUR' } }]);
    expectProblem(zero);
    expect(fieldsOf(zero)).toContain('variants[0].price.amount');
    const secondZero = await patch([
      { sku: first!.sku, price: { amount: 100, currency: 'EUR' } },
      { sku: second!.sku, price: { amount: 0, currency: 'EUR' } },
    ]);
    expect(fieldsOf(secondZero)).toContain('variants[1].price.amount');
    expectProblem(await patch([{ sku: first!.sku, price: { amount: null, currency: 'EUR' } }]));
    const after = await h.catalog.ownDetail(who, product.id);
    expect(after.version).toBe(product.version);
    expect(after.variants.map((v) => v.price.amount)).toEqual(product.variants.map((v) => v.price.amount));
  });

  it('refuses bulk import rows priced 0 or null, in CSV and NDJSON, landing the good rows', async () => {
    const who = seller();
    const t = newId().slice(-8);
    const csv = [
      'handle,sku,title,category,price,currency',
      `,Z1-${t},Free lunch,Food,0.00,USD`,
      `,Z2-${t},Free dinner,Food,0,USD`,
      `,G1-${t},Paid lunch,Food,0.01,USD`,
    ].join('\n');
    const ndjson = [
      {
        title: 'Zero',
        category: 'Food',
        variants: [{ sku: `N1-${t}`, price: { amount: 0, currency: 'USD' } }],
      },
      {
        title: 'Null',
        category: 'Food',
        variants: [{ sku: `N2-${t}`, price: { amount: null, currency: 'USD' } }],
      },
      {
        title: 'One',
        category: 'Food',
        variants: [{ sku: `N3-${t}`, price: { amount: 1, currency: 'USD' } }],
      },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n');
    const run = (format: 'csv' | 'ndjson', text: string) =>
      importProducts(h.catalog, { actor: who, sellerId: who.id, format, input: Readable.from([text]) });
    const fromCsv = await run('csv', csv);
    expect(fromCsv).toMatchObject({ created: 1, failed: 2 });
    expect(fromCsv.errors.map((e) => [e.line, e.errors[0]?.field])).toEqual([
      [2, 'variants[0].price.amount'],
      [3, 'variants[0].price.amount'],
    ]);
    const fromNdjson = await run('ndjson', ndjson);
    expect(fromNdjson).toMatchObject({ created: 1, failed: 2 });
    expect(fromNdjson.errors.map((e) => e.line)).toEqual([1, 2]);
    const prices = (await ownProducts(who)).map((p) => p.price.amount).sort((a, b) => a - b);
    expect(prices).toEqual([1, 1]);
  });

  it.each([[null], [true], ['5'], [''], [[5]]])(
    'refuses a stock level of %j with a 400 problem, leaving stock unchanged',
    async (onHand) => {
      const who = seller();
      const { product } = await h.catalog.createProduct(who, productBody());
      const sku = product.variants[0]!.sku;
      const res = await h.app.inject({
        method: 'PUT',
        url: `/api/v1/seller/inventory/${encodeURIComponent(sku)}`,
        headers: await as(who),
        payload: { onHand },
      });
      expectProblem(res);
      expect(fieldsOf(res)).toContain('body.onHand');
      expect((await h.inventory.getAvailability([sku]))[sku]?.available).toBe(5);
    },
  );

  it.each([
    ['a NUL', 'Shoe\u0000'],
    ['a lone high surrogate', 'Shoe \ud83d'],
    ['a lone low surrogate', '\ude00 Shoe'],
  ])('refuses a title with %s with a 400 problem, storing nothing', async (_name, title) => {
    const who = seller();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers: { ...(await as(who)), 'content-type': 'application/json' },
      payload: JSON.stringify({ ...productBody(), title }),
    });
    expectProblem(res);
    expect(fieldsOf(res)).toEqual(['body.title']);
    expect(await ownProducts(who)).toEqual([]);
  });

  it.each([
    '/api/v1/products?category=%00',
    '/api/v1/products?cursor=a%00b',
    '/api/v1/products/%00',
    '/api/v1/products/%E0%A4%A',
    `/api/v1/products/${'a'.repeat(300)}`,
  ])('answers GET %s with a 4xx problem', async (url) => {
    const res = await h.app.inject({ url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('stores twelve parallel uploads of the same image once, answering every one', async () => {
    const who = seller();
    const { product } = await h.catalog.createProduct(who, productBody());
    const png = await placeholderImage(`Parallel ${newId()}`, '#884422');
    const headers = { ...(await as(who)), 'content-type': 'image/png' };
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.app.inject({
          method: 'POST',
          url: `/api/v1/seller/products/${product.id}/images`,
          headers,
          payload: png,
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(201));
    const detail = await h.catalog.ownDetail(who, product.id);
    expect(detail.images).toHaveLength(1);
    for (const url of [detail.images[0]!.url, detail.images[0]!.detailUrl])
      expect((await h.app.inject({ url })).statusCode).toBe(200);
  });
});
