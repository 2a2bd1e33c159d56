import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';
import { customer, product, startHarness, type Harness } from './test-support.ts';

let h: Harness;
// Generous: building the service on PGlite takes long on a loaded machine.
beforeAll(async () => {
  h = await startHarness();
}, 180_000);
afterAll(async () => {
  await h.close();
});

function newSeller(): string {
  const id = newId();
  h.sellers.add(id);
  return id;
}

const rate = (who: { id: string }, body: Record<string, unknown>) =>
  h.call('POST', '/api/v1/seller-ratings', { id: who.id, role: 'customer' }, body);
const standing = async (sellerId: string) => (await h.call('GET', `/api/v1/sellers/${sellerId}/rating`)).body;

describe(`seller ratings (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('takes one rating per seller of a paid order, by its customer, and publishes the standing', async () => {
    const sellerId = newSeller();
    const buyer = customer();
    const order = await h.buy(buyer.id, [product(h)], 'delivered', sellerId);
    const first = await rate(buyer, {
      orderId: order.id,
      sellerId,
      rating: 5,
      comment: ' Fast and friendly ',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      orderId: order.id,
      sellerId,
      rating: 5,
      comment: 'Fast and friendly',
    });
    const again = await rate(buyer, { orderId: order.id, sellerId, rating: 1 });
    expect(again.status).toBe(409);
    expect(await standing(sellerId)).toEqual({ sellerId, positivePercent: 100, count: 1, windowMonths: 12 });
    const event = h.ratingEvents.find((e) => e.subject === sellerId);
    expect(event?.data).toMatchObject({ sellerId, positivePercent: 100, count: 1, version: 1 });
    const mine = await h.call('GET', `/api/v1/seller-ratings?orderId=${order.id}`, buyer);
    expect((mine.body.items as unknown[]).length).toBe(1);
  });

  it('refuses another customer’s order, an unpaid or cancelled order and a seller not in the order', async () => {
    const sellerId = newSeller();
    const buyer = customer();
    const paid = await h.buy(buyer.id, [product(h)], 'paid', sellerId);
    expect((await rate(customer(), { orderId: paid.id, sellerId, rating: 5 })).status).toBe(404);
    expect((await rate(buyer, { orderId: newId(), sellerId, rating: 5 })).status).toBe(404);
    expect((await rate(buyer, { orderId: paid.id, sellerId: newSeller(), rating: 5 })).status).toBe(400);
    for (const status of ['pending_payment', 'cancelled', 'refunded'] as const) {
      const order = await h.buy(buyer.id, [product(h)], status, sellerId);
      const res = await rate(buyer, { orderId: order.id, sellerId, rating: 5 });
      expect(res.status, status).toBe(422);
    }
    for (const body of [
      { orderId: paid.id, sellerId, rating: 6 },
      { orderId: paid.id, sellerId, rating: 4.5 },
      { orderId: paid.id, sellerId, rating: '4' },
      { orderId: paid.id, sellerId, rating: 4, comment: 'x'.repeat(1001) },
      { orderId: 'nope', sellerId, rating: 4 },
      { orderId: paid.id, sellerId, rating: 4, extra: 1 },
    ])
      expect((await rate(buyer, body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    expect(await standing(sellerId)).toMatchObject({ positivePercent: null, count: 0 });
    expect((await h.call('GET', `/api/v1/sellers/${newId()}/rating`)).status).toBe(404);
  });

  it('counts 4 and 5 stars as positive over the last twelve months only', async () => {
    const sellerId = newSeller();
    const stars = [5, 4, 3, 1, 5, 2, 4];
    for (const rating of stars) {
      const buyer = customer();
      const order = await h.buy(buyer.id, [product(h)], 'shipped', sellerId);
      expect((await rate(buyer, { orderId: order.id, sellerId, rating })).status).toBe(201);
    }
    expect(await standing(sellerId)).toMatchObject({ positivePercent: 57.1, count: 7 });
    // Two of the negative ones are older than a year: they leave the window.
    await sql`update ${sql.id(h.schema, 'seller_ratings')} set created_at = now() - interval '13 months'
              where seller_id = ${sellerId} and rating <= 2`.execute(h.infra.db.forSchema(h.schema));
    expect(await standing(sellerId)).toMatchObject({ positivePercent: 80, count: 5 });
  });
});
