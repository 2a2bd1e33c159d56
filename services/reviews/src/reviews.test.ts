import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newId } from '@emporium/platform';
import { testServiceTokens, testUrls } from '@emporium/platform/testing';
import { OrderStatusChanged } from '@emporium/orders';
import { ReviewsHttpClient } from './client.ts';
import { admin, customer, goodReview, product, startHarness, type Harness } from './test-support.ts';

let h: Harness;
// Generous: building the service on PGlite takes long on a loaded machine.
beforeAll(async () => {
  h = await startHarness();
}, 180_000);
afterAll(async () => {
  await h.close();
});

/** A product with one review by a customer who bought it. */
async function reviewed(rating = 4) {
  const productId = product(h);
  const author = customer();
  await h.buy(author.id, [productId]);
  const res = await h.call('POST', `/api/v1/products/${productId}/reviews`, author, {
    ...goodReview,
    rating,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { productId, author, reviewId: String(res.body.id) };
}

const summaryOf = async (productId: string) =>
  (await h.call('GET', `/api/v1/products/${productId}/reviews/summary`)).body;
const listOf = async (productId: string, query = '') =>
  (await h.call('GET', `/api/v1/products/${productId}/reviews${query}`)).body as {
    items: { id: string; rating: number; helpfulVotes: number }[];
    nextCursor?: string;
  };
const outboxRows = async (subject: string) =>
  (
    await sql<{ type: string; payload: { count: number; version: number } }>`
      select type, payload from ${sql.id(h.schema, 'outbox')} where subject = ${subject} order by seq`.execute(
      h.infra.db.forSchema(h.schema),
    )
  ).rows;

describe(`product reviews (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('lets a customer who bought the product review it, with the verified badge, and counts it', async () => {
    const { productId, author, reviewId } = await reviewed(5);
    const mine = await h.call('GET', `/api/v1/reviews/${reviewId}`, author);
    expect(mine.body).toMatchObject({
      productId,
      rating: 5,
      title: goodReview.title,
      authorName: 'Ada L.',
      verifiedPurchase: true,
      helpfulVotes: 0,
      status: 'visible',
    });
    expect(await summaryOf(productId)).toEqual({
      productId,
      average: 5,
      count: 1,
      histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 },
    });
    const event = h.ratingEvents.find((e) => e.subject === productId);
    expect(event?.data).toMatchObject({ productId, average: 5, count: 1, version: 1 });
  });

  it('refuses a customer who did not buy the product, or whose order is unpaid or was refunded', async () => {
    const productId = product(h);
    const stranger = customer();
    const other = await h.call('POST', `/api/v1/products/${productId}/reviews`, stranger, goodReview);
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/bought/);
    for (const status of ['pending_payment', 'payment_failed', 'cancelled', 'refunded'] as const) {
      const buyer = customer();
      await h.buy(buyer.id, [productId], status);
      const res = await h.call('POST', `/api/v1/products/${productId}/reviews`, buyer, goodReview);
      expect(res.status, status).toBe(403);
    }
    // Another product of the same order does not count either.
    const buyer = customer();
    await h.buy(buyer.id, [product(h)]);
    expect((await h.call('POST', `/api/v1/products/${productId}/reviews`, buyer, goodReview)).status).toBe(
      403,
    );
    expect((await summaryOf(productId)).count).toBe(0);
    expect(await outboxRows(productId)).toEqual([]);
  });

  it('counts a purchase named by its order before the order’s events arrive, for its customer only', async () => {
    const productId = product(h);
    const buyer = customer();
    const order = h.order(buyer.id, [productId]);
    const url = `/api/v1/products/${productId}/reviews`;
    expect((await h.call('POST', url, buyer, goodReview)).status).toBe(403);
    const unpaid = h.order(buyer.id, [productId], 'pending_payment');
    expect((await h.call('POST', url, buyer, { ...goodReview, orderId: unpaid.id })).status).toBe(403);
    expect((await h.call('POST', url, buyer, { ...goodReview, orderId: newId() })).status).toBe(403);
    expect((await h.call('POST', url, customer(), { ...goodReview, orderId: order.id })).status).toBe(403);
    const res = await h.call('POST', url, buyer, { ...goodReview, orderId: order.id });
    expect(res.status).toBe(201);
    expect(res.body.verifiedPurchase).toBe(true);
  });

  it('follows the order: a refund after the review takes the verified badge away, the review stays', async () => {
    const { productId, author, reviewId } = await reviewed();
    const [orderId] = [...h.orders.values()].filter((o) => o.customerId === author.id).map((o) => o.id);
    const order = h.orders.get(orderId!)!;
    order.status = 'refunded';
    order.history.push({ status: 'refunded', at: new Date().toISOString() });
    await h.infra.bus.publish(
      OrderStatusChanged.create(order.id, { orderId: order.id, customerId: author.id, status: 'refunded' }),
    );
    const review = await h.call('GET', `/api/v1/reviews/${reviewId}`);
    expect(review.body.verifiedPurchase).toBe(false);
    expect((await summaryOf(productId)).count).toBe(1);
  });

  it('keeps the newest order status when an older order event is handled late', async () => {
    const productId = product(h);
    const buyer = customer();
    const order = await h.buy(buyer.id, [productId], 'refunded');
    // The orders service answers with a stale read (an older replica): version 2, paid.
    h.orders.set(order.id, { ...order, status: 'paid', history: order.history.slice(0, 2) });
    await h.parts.purchases.refresh(order.id);
    expect(await h.parts.store.hasPurchased(buyer.id, productId)).toBe(true);
    h.orders.set(order.id, {
      ...order,
      status: 'refunded',
      history: [...order.history.slice(0, 2), { status: 'refunded', at: '' }],
    });
    await h.parts.purchases.refresh(order.id);
    h.orders.set(order.id, { ...order, status: 'paid', history: order.history.slice(0, 2) });
    await h.parts.purchases.refresh(order.id);
    expect(await h.parts.store.hasPurchased(buyer.id, productId)).toBe(false);
  });

  it('refuses a second review of the same product by the same customer (409), however it is sent', async () => {
    const { productId, author, reviewId } = await reviewed();
    const again = await Promise.all(
      [1, 2, 3].map(() => h.call('POST', `/api/v1/products/${productId}/reviews`, author, goodReview)),
    );
    expect(again.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(again[0]!.body.reviewId).toBe(reviewId);
    expect((await summaryOf(productId)).count).toBe(1);
  });

  it('counts every first review when several customers review the same product at once', async () => {
    const productId = product(h);
    const buyers = Array.from({ length: 6 }, customer);
    for (const b of buyers) await h.buy(b.id, [productId]);
    const results = await Promise.all(
      buyers.map((b, i) =>
        h.call('POST', `/api/v1/products/${productId}/reviews`, b, { ...goodReview, rating: (i % 5) + 1 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(buyers.map(() => 201));
    expect(await summaryOf(productId)).toMatchObject({ count: 6, average: 2.67 });
    const versions = (await outboxRows(productId)).map((r) => r.payload.version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lets only the author edit or withdraw a review', async () => {
    const { productId, author, reviewId } = await reviewed(4);
    const intruder = customer();
    for (const [method, body] of [
      ['PATCH', { rating: 1 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.call(method, `/api/v1/reviews/${reviewId}`, intruder, body);
      expect(res.status, method).toBe(403);
    }
    const seller = await h.call('DELETE', `/api/v1/reviews/${reviewId}`, { id: newId(), role: 'seller' });
    expect(seller.status).toBe(403);
    expect(await summaryOf(productId)).toMatchObject({ average: 4, count: 1 });

    const edited = await h.call('PATCH', `/api/v1/reviews/${reviewId}`, author, {
      rating: 2,
      body: ' Dimmer now. ',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ rating: 2, body: 'Dimmer now.', title: goodReview.title });
    expect(await summaryOf(productId)).toMatchObject({ average: 2, count: 1 });
    expect((await h.call('DELETE', `/api/v1/reviews/${reviewId}`, author)).status).toBe(204);
    expect(await summaryOf(productId)).toMatchObject({ average: 0, count: 0 });
    expect((await h.call('GET', `/api/v1/reviews/${reviewId}`)).status).toBe(404);
    expect((await outboxRows(productId)).map((r) => r.payload.count)).toEqual([1, 1, 0]);
  });

  it('lets an admin hide a review: it leaves the list and the rating until restored', async () => {
    const { productId, author, reviewId } = await reviewed(1);
    const buyer = customer();
    await h.buy(buyer.id, [productId]);
    await h.call('POST', `/api/v1/products/${productId}/reviews`, buyer, { ...goodReview, rating: 5 });
    expect(await summaryOf(productId)).toMatchObject({ average: 3, count: 2 });

    const moderator = admin();
    expect((await h.call('POST', `/api/v1/reviews/${reviewId}/hide`, customer(), {})).status).toBe(403);
    const hidden = await h.call('POST', `/api/v1/reviews/${reviewId}/hide`, moderator, { note: 'off topic' });
    expect(hidden.body).toMatchObject({ status: 'hidden', moderationNote: 'off topic' });
    expect((await listOf(productId)).items.map((r) => r.id)).not.toContain(reviewId);
    expect(await summaryOf(productId)).toMatchObject({
      average: 5,
      count: 1,
      histogram: { '1': 0, '5': 1 },
    });
    expect(h.ratingEvents.filter((e) => e.subject === productId).at(-1)?.data).toMatchObject({ count: 1 });
    // Hidden: gone for the public and other customers, still there for its author and the admins.
    expect((await h.call('GET', `/api/v1/reviews/${reviewId}`)).status).toBe(404);
    expect((await h.call('GET', `/api/v1/reviews/${reviewId}`, buyer)).status).toBe(404);
    expect((await h.call('GET', `/api/v1/reviews/${reviewId}`, author)).body.status).toBe('hidden');
    expect((await h.call('PUT', `/api/v1/reviews/${reviewId}/helpful-vote`, buyer)).status).toBe(404);

    const restored = await h.call('POST', `/api/v1/reviews/${reviewId}/restore`, moderator, {});
    expect(restored.body.status).toBe('visible');
    expect(await summaryOf(productId)).toMatchObject({ average: 3, count: 2 });
  });

  it('counts one helpful vote per customer, never the author’s own', async () => {
    const { reviewId, author } = await reviewed();
    const url = `/api/v1/reviews/${reviewId}/helpful-vote`;
    expect((await h.call('PUT', url, author)).status).toBe(403);
    const fan = customer();
    await h.call('PUT', url, fan);
    const twice = await h.call('PUT', url, fan);
    expect(twice.body.helpfulVotes).toBe(1);
    expect((await h.call('PUT', url, customer())).body.helpfulVotes).toBe(2);
    expect((await h.call('DELETE', url, fan)).body.helpfulVotes).toBe(1);
    expect((await h.call('DELETE', url, fan)).body.helpfulVotes).toBe(1);
  });

  it('takes reports once per customer into the admins’ queue', async () => {
    const { reviewId, author } = await reviewed();
    const url = `/api/v1/reviews/${reviewId}/reports`;
    expect((await h.call('POST', url, author, { reason: 'mine' })).status).toBe(403);
    const reporter = customer();
    expect((await h.call('POST', url, reporter, { reason: 'Spam' })).status).toBe(202);
    expect((await h.call('POST', url, reporter, { reason: 'Spam again' })).status).toBe(202);
    expect((await h.call('POST', url, customer(), { reason: '   ' })).status).toBe(400);
    expect((await h.call('GET', '/api/v1/reviews/reported', customer())).status).toBe(403);
    const found: { id: string; reports: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.call(
        'GET',
        `/api/v1/reviews/reported?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        admin(),
      );
      expect(page.status).toBe(200);
      found.push(...(page.body.items as typeof found));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(found.find((r) => r.id === reviewId)?.reports).toBe(1);
  });

  it('pages through every sort order without gaps or repeats', async () => {
    const productId = product(h);
    const buyers = Array.from({ length: 7 }, customer);
    const ids: string[] = [];
    for (const [i, b] of buyers.entries()) {
      await h.buy(b.id, [productId]);
      const res = await h.call('POST', `/api/v1/products/${productId}/reviews`, b, {
        ...goodReview,
        rating: [3, 5, 1, 5, 3, 2, 4][i],
      });
      ids.push(String(res.body.id));
    }
    for (const [i, votes] of [2, 0, 5, 2, 0, 1, 0].entries())
      for (let v = 0; v < votes; v++)
        await h.call('PUT', `/api/v1/reviews/${ids[i]}/helpful-vote`, customer());
    const expected: Record<string, number[]> = {
      newest: [6, 5, 4, 3, 2, 1, 0],
      helpful: [2, 3, 0, 5, 6, 4, 1],
      rating_high: [3, 1, 6, 4, 0, 5, 2],
      rating_low: [2, 5, 4, 0, 6, 3, 1],
    };
    for (const [sort, order] of Object.entries(expected)) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listOf(productId, `?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, sort).toEqual(order.map((i) => ids[i]));
    }
    const first = await listOf(productId, '?limit=3');
    expect(first.items.map((r) => r.id)).toEqual(expected.helpful!.slice(0, 3).map((i) => ids[i]));
    // A cursor of one sort is not a cursor of another.
    const newest = await listOf(productId, '?sort=newest&limit=3');
    const wrong = await h.call(
      'GET',
      `/api/v1/products/${productId}/reviews?sort=helpful&cursor=${newest.nextCursor}`,
    );
    expect(wrong.status).toBe(400);
  });
});

describe('bad input is a 4xx problem and changes nothing', () => {
  it('refuses bad ratings, wrong types, oversized text, unknown fields and unknown products', async () => {
    const productId = product(h);
    const buyer = customer();
    await h.buy(buyer.id, [productId]);
    const url = `/api/v1/products/${productId}/reviews`;
    const bodies: [string, unknown][] = [
      ['rating 6', { ...goodReview, rating: 6 }],
      ['rating 0', { ...goodReview, rating: 0 }],
      ['rating 2.5', { ...goodReview, rating: 2.5 }],
      ['rating "5"', { ...goodReview, rating: '5' }],
      ['rating null', { ...goodReview, rating: null }],
      ['no rating', { title: 'x', body: 'y' }],
      ['title a number', { ...goodReview, title: 42 }],
      ['empty title', { ...goodReview, title: '' }],
      ['blank title', { ...goodReview, title: '   ' }],
      ['title too long', { ...goodReview, title: 'x'.repeat(151) }],
      ['10 KB text', { ...goodReview, body: 'x'.repeat(10 * 1024) }],
      ['blank body', { ...goodReview, body: '\n\t ' }],
      ['unknown field', { ...goodReview, verified: true }],
      ['an array', [goodReview]],
      ['NUL in text', { ...goodReview, body: 'a\u0000b' }],
    ];
    for (const [what, body] of bodies) {
      const res = await h.call('POST', url, buyer, body);
      expect(res.status, what).toBe(400);
      expect(res.body.status, what).toBe(400);
    }
    const unknown = await h.call('POST', `/api/v1/products/${newId()}/reviews`, buyer, goodReview);
    expect(unknown.status).toBe(404);
    expect((await h.call('POST', '/api/v1/products/not-a-uuid/reviews', buyer, goodReview)).status).toBe(400);
    expect((await h.call('GET', `/api/v1/products/${newId()}/reviews`)).status).toBe(404);
    expect((await h.call('GET', `/api/v1/products/${productId}/reviews?sort=best`)).status).toBe(400);
    expect((await h.call('GET', `/api/v1/products/${productId}/reviews?limit=500`)).status).toBe(400);
    expect((await h.call('GET', `/api/v1/products/${productId}/reviews?cursor=garbage`)).status).toBe(400);
    expect((await summaryOf(productId)).count).toBe(0);
    expect(await outboxRows(productId)).toEqual([]);
    // Nothing was half-written: the customer's first valid review is still their first.
    expect((await h.call('POST', url, buyer, goodReview)).status).toBe(201);
  });

  it('refuses a bad edit and keeps the review as it was', async () => {
    const { reviewId, author } = await reviewed(4);
    for (const body of [
      {},
      { rating: 6 },
      { rating: '1' },
      { body: 'x'.repeat(5001) },
      { title: ' ' },
      { status: 'hidden' },
    ]) {
      const res = await h.call('PATCH', `/api/v1/reviews/${reviewId}`, author, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await h.call('GET', `/api/v1/reviews/${reviewId}`)).body).toMatchObject({
      rating: 4,
      title: goodReview.title,
      body: goodReview.body,
    });
  });

  it('asks for a token on every write', async () => {
    const { productId, reviewId } = await reviewed();
    expect(
      (await h.call('POST', `/api/v1/products/${productId}/reviews`, undefined, goodReview)).status,
    ).toBe(401);
    expect((await h.call('PUT', `/api/v1/reviews/${reviewId}/helpful-vote`)).status).toBe(401);
    expect((await h.call('POST', `/api/v1/reviews/${reviewId}/hide`, undefined, {})).status).toBe(401);
  });
});

describe('the HTTP client', () => {
  it('answers as the in-process API over the internal routes, and only to a service token', async () => {
    const { productId } = await reviewed(3);
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const client = new ReviewsHttpClient(address, { tokens: testServiceTokens });
    expect(await client.productRating(productId)).toEqual(await h.parts.api.productRating(productId));
    const sellerId = newId();
    expect(await client.sellerRating(sellerId)).toEqual({
      sellerId,
      positivePercent: null,
      count: 0,
      windowMonths: 12,
    });
    await expect(new ReviewsHttpClient(address).productRating(productId)).rejects.toThrow();
  });
});

describe('the outbox', () => {
  it('publishes a rating change written before a crash once the service is back', async () => {
    const productId = product(h);
    const buyer = customer();
    await h.buy(buyer.id, [productId]);
    // The running service's relay is stopped, as a process that died right after the commit.
    await h.parts.relay.stop();
    const res = await h.call('POST', `/api/v1/products/${productId}/reviews`, buyer, goodReview);
    expect(res.status).toBe(201);
    expect(h.ratingEvents.some((e) => e.subject === productId)).toBe(false);
    await h.restart();
    await expect
      .poll(() => h.ratingEvents.filter((e) => e.subject === productId).map((e) => e.data), {
        timeout: 10_000,
      })
      .toEqual([expect.objectContaining({ productId, count: 1, average: 4, version: 1 })]);
  });
});
