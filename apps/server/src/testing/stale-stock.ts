/**
 * Issue 18 item 12: a product page the gateway cached must not show stock that a purchase or a seller
 * has changed since. Shared by the one-process suite and the gateway-in-another-process suite.
 */
import { expect } from 'vitest';
import { Shopper } from './shopper.ts';

interface Page {
  status: number;
  cache: string | null;
  inStock: unknown;
}

async function get(url: string): Promise<Page> {
  const res = await fetch(url);
  const body = (await res.json()) as { availability?: { inStock: boolean } };
  return { status: res.status, cache: res.headers.get('x-cache'), inStock: body.availability?.inStock };
}

/** True once two reads 1.5 s apart both come from the cache (or, uncached, both answer). */
function settled(read: () => Promise<Page>, cached: boolean) {
  return async () => {
    const expected = cached ? 'hit' : null;
    if ((await read()).cache !== expected) return false;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return (await read()).cache === expected;
  };
}

/** Lists a product in stock and warms the gateway's cache with its page and its seller's listing. */
/** `cached`: whether this gateway caches the catalog's pages (it does not cache forwarded routes). */
export async function cachedProductInStock(baseUrl: string, cached = true) {
  const shop = new Shopper(baseUrl);
  const seller = await shop.register('seller');
  const { sku, productId } = await shop.listProductWithId(seller, 1);
  const page = () => get(`${baseUrl}/api/v1/products/${productId}`);
  const listing = () => get(`${baseUrl}/api/v1/products?category=Home&perPage=7`);
  // The listing's own events (product created, stock set) may still be on their way over JetStream and
  // drop what is cached: read until the page stays cached, so what a later GET shows is what the stock
  // change's invalidation left there.
  await expect.poll(settled(page, cached), { timeout: 20_000 }).toBe(true);
  await expect.poll(settled(listing, cached), { timeout: 20_000 }).toBe(true);
  expect(await page()).toMatchObject({ status: 200, cache: cached ? 'hit' : null, inStock: true });
  return { shop, seller, sku, page, listing };
}
