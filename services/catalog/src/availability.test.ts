import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import { importProducts } from './importer.ts';

const availableOf = async (h: Harness, id: string) =>
  (await h.catalog.productDetail(id)).variants.map(
    (v) => (v as { availability?: { available: number } }).availability?.available,
  );

describe(`catalog availability cache (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    // A long TTL, so freshness below comes from invalidation, not from expiry.
    h = await catalogHarness({ cacheTtl: { detail: 300, listing: 60, availability: 600 } });
    await h.inventoryModule.start?.();
    await h.module.start?.();
  });
  afterAll(() => h.close());

  it('shows stock the catalog wrote at once, and stock written elsewhere when its event arrives', async () => {
    const seller = { id: newId(), role: 'seller' as const };
    const body = productBody();
    const { product } = await h.catalog.createProduct(seller, body);
    expect(await availableOf(h, product.id)).toEqual([5, 0]);

    // Through the catalog (an import that changes the product and its stock): fresh on return.
    const line = JSON.stringify({
      ...body,
      title: `${body.title} v2`,
      variants: body.variants.map((v) => ({ ...v, stock: 7 })),
    });
    const report = await importProducts(h.catalog, {
      actor: seller,
      sellerId: seller.id,
      format: 'ndjson',
      input: Readable.from([line]),
    });
    expect(report).toMatchObject({ updated: 1, failed: 0 });
    expect(await availableOf(h, product.id)).toEqual([7, 7]);

    // Directly in inventory, as orders or a seller tool would: fresh once inventory.stock.changed lands.
    const sku = body.variants[0]!.sku;
    await h.inventory.setStock(seller, sku, 2);
    const wrote = Date.now();
    while ((await availableOf(h, product.id))[0] !== 2 && Date.now() - wrote < 5000)
      await new Promise((r) => setTimeout(r, 5));
    expect(await availableOf(h, product.id)).toEqual([2, 7]);
    expect(Date.now() - wrote).toBeLessThan(5000);
  });
});
