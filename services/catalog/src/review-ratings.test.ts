// The catalog follows the reviews service's rating events: the product's rating changes, and the change
// goes out as a product event for search; an event older than the one applied changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, subscribeTo, type DomainEvent } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import { ProductRatingChanged } from './ports.ts';
import { catalogHarness, productBody, type Harness } from './test-harness.ts';
import { ProductChanged, type ProductDocument } from './types.ts';

let h: Harness;
const announced: DomainEvent<ProductDocument>[] = [];
beforeAll(async () => {
  h = await catalogHarness();
  await subscribeTo(
    h.infra.bus,
    uniqueName('t'),
    ProductChanged,
    async (e) => void announced.push(e),
    h.infra.logger,
  );
  await h.module.start?.();
});
afterAll(async () => {
  await h.close();
});

const histogram = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
const ratingOf = async (id: string) => (await h.app.inject({ url: `/api/v1/products/${id}` })).json().rating;
const publish = (productId: string, average: number, count: number, version: number) =>
  h.infra.bus.publish(
    ProductRatingChanged.create(productId, { productId, average, count, histogram, version }),
  );

describe('product ratings from the reviews service', () => {
  it('updates the rating, announces the product, and ignores an older event', async () => {
    const seller = { id: newId(), role: 'seller' as const };
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/seller/products',
      headers: { authorization: `Bearer ${await h.tokens.tokenFor(seller)}` },
      payload: productBody(),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(await ratingOf(id)).toEqual({ average: 0, count: 0 });

    await publish(id, 4.5, 2, 2);
    await expect.poll(() => ratingOf(id), { timeout: 10_000 }).toEqual({ average: 4.5, count: 2 });
    await expect
      .poll(
        () => announced.filter((e) => e.subject === id && e.type === 'catalog.product.updated').at(-1)?.data,
      )
      .toMatchObject({ rating: 4.5, ratingCount: 2 });

    await publish(id, 1, 1, 1);
    await publish(newId(), 3, 1, 1);
    await publish(id, 3.67, 3, 3);
    await expect.poll(() => ratingOf(id), { timeout: 10_000 }).toEqual({ average: 3.67, count: 3 });
    const versions = announced.filter((e) => e.subject === id && e.type === 'catalog.product.updated');
    expect(versions.map((e) => e.data.ratingCount)).toEqual([2, 3]);
  });
});
