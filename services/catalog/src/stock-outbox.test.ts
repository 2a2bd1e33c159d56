// ADR 0607: the stock a catalog write gives reaches inventory even when the catalog's direct call after
// its commit does not (inventory unreachable, or the process stopping between the two).
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, countUnpublished, newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import type { InventoryApi } from '@emporium/inventory';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import { createCatalogService } from './service.ts';
import { importProducts } from './importer.ts';
import type { CatalogDB } from './schema.ts';

/** Inventory as the catalog reaches it: the first `failures` stock requests do not get through. */
function unreachableFor(failures: number, error: () => Error) {
  const calls = { failed: 0 };
  const reach = (inventory: InventoryApi): InventoryApi => ({
    registerSkus: (items) => inventory.registerSkus(items),
    setStock: (actor, sku, onHand) => inventory.setStock(actor, sku, onHand),
    getAvailability: (skus) => inventory.getAvailability(skus),
    reserve: (request) => inventory.reserve(request),
    commit: (id) => inventory.commit(id),
    release: (id, reason) => inventory.release(id, reason),
    restock: (id, reason) => inventory.restock(id, reason),
    applyStockRequest: async (event) => {
      if (calls.failed >= failures) return inventory.applyStockRequest(event);
      calls.failed++;
      throw error();
    },
  });
  return { reach, calls };
}

const outage = () => new AppError('Unavailable', 'inventory did not answer');

async function onHandOf(h: Harness, skus: string[]): Promise<Record<string, number>> {
  const levels = await h.inventory.getAvailability(skus);
  return Object.fromEntries(skus.map((sku) => [sku, levels[sku]?.available ?? 0]));
}

/** Waits until inventory holds the expected stock (the event travels through the relay and the bus). */
async function eventually(h: Harness, expected: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (JSON.stringify(await onHandOf(h, Object.keys(expected))) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await onHandOf(h, Object.keys(expected))).toEqual(expected);
}

const stockOf = (body: ReturnType<typeof productBody>) =>
  Object.fromEntries(body.variants.map((v) => [v.sku, v.stock ?? 0]));

describe(`catalog stock through the outbox (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function started(reach: (inventory: InventoryApi) => InventoryApi) {
    const harness = await catalogHarness({}, reach);
    await harness.inventoryModule.start?.();
    await harness.module.start?.();
    return harness;
  }

  it('a product created while inventory is unreachable gets its stock once inventory answers', async () => {
    const { reach, calls } = unreachableFor(1, outage);
    h = await started(reach);
    const seller = { id: newId(), role: 'seller' as const };
    const body = productBody();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers: { authorization: `Bearer ${await h.tokens.tokenFor(seller)}` },
      payload: body,
    });
    expect(res.statusCode).toBe(201);
    expect(calls.failed).toBe(1);
    await eventually(h, stockOf(body));
    const sku = body.variants[0]!.sku;
    const deadline = Date.now() + 5000;
    const shown = async () =>
      (await h!.app.inject({ url: `/api/v1/products/${res.json().id}` })).json().variants[0].availability;
    while ((await shown()).available !== 5 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await shown()).toEqual({ available: 5, inStock: true });
    expect((await h.inventory.getAvailability([sku]))[sku]).toEqual({ available: 5, inStock: true });
  });

  it('an import during which inventory fails once loses no stock', async () => {
    const { reach, calls } = unreachableFor(1, outage);
    h = await started(reach);
    const seller = { id: newId(), role: 'seller' as const };
    const bodies = [productBody(), productBody(), productBody()].map((b, i) => ({
      ...b,
      variants: b.variants.map((v, j) => ({ ...v, stock: 10 * i + j + 1 })),
    }));
    const report = await importProducts(h.catalog, {
      actor: seller,
      sellerId: seller.id,
      format: 'ndjson',
      input: Readable.from([bodies.map((b) => JSON.stringify(b)).join('\n')]),
    });
    expect(report).toMatchObject({ created: 3, failed: 0 });
    expect(calls.failed).toBe(1);
    await eventually(h, Object.assign({}, ...bodies.map(stockOf)));
  });

  it('a process stopping between its commit and the inventory call loses nothing', async () => {
    // The catalog's relay never runs and its call never arrives: the process died after the commit.
    const { reach } = unreachableFor(Number.POSITIVE_INFINITY, () => new Error('process stopped'));
    h = await catalogHarness({}, reach);
    const seller = { id: newId(), role: 'seller' as const };
    const body = productBody();
    await h.catalog.createProduct(seller, body);
    const catalogDb = h.infra.db.forSchema<CatalogDB>('catalog');
    expect(await countUnpublished(catalogDb)).toBeGreaterThan(0);
    expect(await onHandOf(h, Object.keys(stockOf(body)))).toEqual(
      Object.fromEntries(body.variants.map((v) => [v.sku, 0])),
    );

    // The next process on the same database publishes what the dead one committed.
    const restarted = await createCatalogService(
      { config: h.config, infra: h.infra },
      { inventory: h.inventory },
    );
    await restarted.module.start?.();
    try {
      await eventually(h, stockOf(body));
    } finally {
      await restarted.module.stop?.();
    }
  });
});
