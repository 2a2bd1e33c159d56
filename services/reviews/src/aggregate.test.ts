// Property: whatever customers and moderators do, the product's rating (the stored aggregate, the
// summary route and the last event) equals what its visible reviews say.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { admin, customer, goodReview, product, startHarness, type Harness } from './test-support.ts';

let h: Harness;
// Generous: building the service on PGlite takes long on a loaded machine.
beforeAll(async () => {
  h = await startHarness();
}, 180_000);
afterAll(async () => {
  await h.close();
});

type Op =
  | { kind: 'write' | 'edit'; who: number; rating: number }
  | { kind: 'hide' | 'restore' | 'delete'; who: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('write' as const, 'edit' as const),
    who: fc.nat(3),
    rating: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    kind: fc.constantFrom('hide' as const, 'restore' as const, 'delete' as const),
    who: fc.nat(3),
  }),
);

interface Written {
  id: string;
  rating: number;
  visible: boolean;
}

async function apply(
  productId: string,
  buyers: { id: string; role: 'customer' }[],
  model: Map<number, Written>,
  o: Op,
) {
  const mine = model.get(o.who);
  const moderator = admin();
  switch (o.kind) {
    case 'write': {
      const res = await h.call('POST', `/api/v1/products/${productId}/reviews`, buyers[o.who], {
        ...goodReview,
        rating: o.rating,
      });
      expect(res.status).toBe(mine ? 409 : 201);
      if (!mine) model.set(o.who, { id: String(res.body.id), rating: o.rating, visible: true });
      return;
    }
    case 'edit':
      if (!mine) return;
      expect(
        (await h.call('PATCH', `/api/v1/reviews/${mine.id}`, buyers[o.who], { rating: o.rating })).status,
      ).toBe(200);
      mine.rating = o.rating;
      return;
    case 'hide':
    case 'restore':
      if (!mine) return;
      expect((await h.call('POST', `/api/v1/reviews/${mine.id}/${o.kind}`, moderator, {})).status).toBe(200);
      mine.visible = o.kind === 'restore';
      return;
    case 'delete':
      if (!mine) return;
      expect((await h.call('DELETE', `/api/v1/reviews/${mine.id}`, buyers[o.who])).status).toBe(204);
      model.delete(o.who);
  }
}

async function listed(productId: string): Promise<number[]> {
  const ratings: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.call(
      'GET',
      `/api/v1/products/${productId}/reviews?sort=newest&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    ratings.push(...(page.body.items as { rating: number }[]).map((r) => r.rating));
    cursor = page.body.nextCursor as string | undefined;
  } while (cursor);
  return ratings;
}

describe('the rating aggregate', () => {
  it('equals the visible reviews after any sequence of writes, edits, moderation and withdrawals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const productId = product(h);
        const buyers = Array.from({ length: 4 }, customer);
        for (const b of buyers) await h.buy(b.id, [productId]);
        const model = new Map<number, Written>();
        for (const o of ops) await apply(productId, buyers, model, o);

        const visible = [...model.values()].filter((r) => r.visible).map((r) => r.rating);
        const histogram = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } as Record<string, number>;
        for (const r of visible) histogram[String(r)]!++;
        const average =
          visible.length === 0
            ? 0
            : Math.round((visible.reduce((a, b) => a + b, 0) / visible.length) * 100) / 100;
        const summary = (await h.call('GET', `/api/v1/products/${productId}/reviews/summary`)).body;
        expect(summary).toEqual({ productId, average, count: visible.length, histogram });
        expect((await listed(productId)).sort()).toEqual([...visible].sort());
        // On NATS the events reach the harness's consumer after the write has answered.
        await vi.waitFor(
          () => {
            const events = h.ratingEvents.filter((e) => e.subject === productId);
            const last = events.at(-1)?.data as { count: number; average: number } | undefined;
            expect(last ?? { count: 0, average: 0 }).toMatchObject({ count: visible.length, average });
            expect(events.map((e) => (e.data as { version: number }).version)).toEqual(
              events.map((_, i) => i + 1),
            );
          },
          { timeout: 10_000, interval: 50 },
        );
      }),
      { numRuns: 25 },
    );
  });
});
