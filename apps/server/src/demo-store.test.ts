// The demo store as `npm start` seeds it (SEED_DEMO_DATA): a complete, consistent shop a new user can try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import { Shopper } from './testing/shopper.ts';

interface Listed {
  id: string;
  sellerId: string;
}
interface Detail {
  status: string;
  variants: { sku: string; availability: { available: number; inStock: boolean } }[];
}
interface Recommended {
  items: { id: string }[];
  strategy: string;
}

let store: TestStore;
let shopper: Shopper;
let products: Listed[];

async function allProducts(): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | undefined;
  do {
    const page = await shopper.call(`/products?perPage=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    out.push(...(page.body.items as Listed[]));
    cursor = page.body.nextCursor as string | undefined;
  } while (cursor);
  return out;
}

async function waitUntilReady(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${store.url}/readyz`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the demo store never became ready');
}

beforeAll(async () => {
  // A database of its own: every product in it must be a demo product, which suites beside it are not.
  store = await startTestStore({ SEED_DEMO_DATA: 'true' }, undefined, { ownDatabase: true });
  shopper = new Shopper(store.url);
  await waitUntilReady();
  products = await allProducts();
}, 120_000);
afterAll(() => store.close());

describe('demo data', () => {
  it('seeds a catalogue', () => {
    expect(products.length).toBeGreaterThan(100);
  });

  it('gives every demo product’s seller a public profile', async () => {
    const sellers = [...new Set(products.map((p) => p.sellerId))];
    for (const id of sellers) {
      const profile = await shopper.call(`/sellers/${id}`);
      expect(profile.status, `seller ${id}: ${JSON.stringify(profile.body)}`).toBe(200);
      expect(profile.body.storeName).toEqual(expect.any(String));
    }
  });

  it('has stock for every demo SKU', async () => {
    const empty: string[] = [];
    for (const p of products) {
      const detail = (await shopper.call(`/products/${p.id}`)).body as unknown as Detail;
      for (const v of detail.variants) if (!v.availability.inStock) empty.push(v.sku);
    }
    expect(empty).toEqual([]);
  });
});

describe('recommendations on the cold demo store', () => {
  const LIMIT = 12;
  let customer: string;
  let sellable: Set<string>;

  beforeAll(async () => {
    sellable = new Set<string>();
    for (const p of products) {
      const detail = (await shopper.call(`/products/${p.id}`)).body as unknown as Detail;
      if (detail.status === 'active' && detail.variants.some((v) => v.availability.inStock))
        sellable.add(p.id);
    }
    customer = await shopper.register('customer');
    // the first few signals of a young store: one visitor and the customer looked at a product each
    const [a, b] = products;
    await shopper.call('/events', {
      method: 'POST',
      body: { sessionId: 'demo-visitor-1', events: [{ type: 'view', productId: a!.id }] },
    });
    await shopper.call('/events', {
      method: 'POST',
      token: customer,
      body: { events: [{ type: 'view', productId: b!.id }] },
    });
  }, 120_000);

  const callers = () => [
    { name: 'a visitor', query: '&sessionId=demo-visitor-2', token: undefined },
    { name: 'the visitor who viewed', query: '&sessionId=demo-visitor-1', token: undefined },
    { name: 'a signed-in customer', query: '', token: customer },
  ];

  async function expectFull(path: string, token: string | undefined, anchor?: string): Promise<void> {
    const answer = await shopper.call(path, token ? { token } : {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const ids = (answer.body as unknown as Recommended).items.map((i) => i.id);
    expect(ids, path).toHaveLength(LIMIT);
    expect(new Set(ids).size).toBe(LIMIT);
    if (anchor) expect(ids).not.toContain(anchor);
    expect(ids.filter((id) => !sellable.has(id))).toEqual([]);
  }

  it('fills every placement for anonymous and signed-in callers', async () => {
    const anchor = products[5]!.id;
    for (const caller of callers()) {
      await expectFull(`/recommendations?placement=home&limit=${LIMIT}${caller.query}`, caller.token);
      await expectFull(`/recommendations?placement=cart&limit=${LIMIT}${caller.query}`, caller.token);
      await expectFull(
        `/recommendations?placement=product&productId=${anchor}&limit=${LIMIT}${caller.query}`,
        caller.token,
        anchor,
      );
    }
  });
});
