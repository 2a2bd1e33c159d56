import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyStore, requestFingerprint } from './idempotency.ts';
import { eventsOf, startSandbox, type RunningSandbox } from './testkit.ts';

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('Idempotency-Key over HTTP', () => {
  it('20 concurrent authorizations with one key create one authorization and answer it to all', async () => {
    // Latency widens the window in which the twins overlap.
    running = await startSandbox({ latency: { fixedMs: 20, jitterMs: 30 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => running!.authorize('tok_visa', { key: 'checkout-42' })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    const ids = new Set(results.map((r) => r.body['id']));
    expect(ids.size).toBe(1);
    expect(eventsOf(running, 'payment.authorized')).toEqual([...ids]);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
  });

  it('answers 422 when a key is reused with another body or on another endpoint, and acts on neither', async () => {
    running = await startSandbox();
    const first = await running.authorize('tok_visa', { key: 'k1', amount: 1000 });
    const otherAmount = await running.authorize('tok_visa', { key: 'k1', amount: 1001 });
    expect(otherAmount.status).toBe(422);
    expect(otherAmount.body).toMatchObject({ code: 'idempotency_key_reuse', status: 422 });
    const otherEndpoint = await running.call(
      'POST',
      `/v1/authorizations/${String(first.body['id'])}/capture`,
      {},
      {
        'idempotency-key': 'k1',
      },
    );
    expect(otherEndpoint.status).toBe(422);
    expect(eventsOf(running, 'payment.authorized')).toHaveLength(1);
    expect(eventsOf(running, 'payment.captured')).toHaveLength(0);
  });

  it('treats the same fields in another order as the same body', async () => {
    running = await startSandbox();
    const a = await running.call(
      'POST',
      '/v1/authorizations',
      { amount: 5, currency: 'USD', token: 'tok_visa', reference: 'r' },
      { 'idempotency-key': 'k-order' },
    );
    const b = await running.call(
      'POST',
      '/v1/authorizations',
      { reference: 'r', token: 'tok_visa', currency: 'USD', amount: 5 },
      { 'idempotency-key': 'k-order' },
    );
    expect(b.status).toBe(201);
    expect(b.body['id']).toBe(a.body['id']);
  });

  it('replays a refusal (409) with its status, but lets a corrected request act after a 400', async () => {
    running = await startSandbox();
    const auth = await running.authorize('tok_visa', { amount: 1000 });
    const path = `/v1/authorizations/${String(auth.body['id'])}/capture`;
    const tooMuch = await running.call('POST', path, { amount: 5000 }, { 'idempotency-key': 'cap-1' });
    expect(tooMuch.status).toBe(409);
    const again = await running.call('POST', path, { amount: 5000 }, { 'idempotency-key': 'cap-1' });
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const malformed = await running.call(
      'POST',
      '/v1/refunds',
      { amount: 'x' },
      { 'idempotency-key': 'ref-1' },
    );
    expect(malformed.status).toBe(400);
    await running.call('POST', path, { amount: 1000 });
    const fixed = await running.call(
      'POST',
      '/v1/refunds',
      { authorizationId: auth.body['id'], amount: 300 },
      { 'idempotency-key': 'ref-1' },
    );
    expect(fixed.status).toBe(201);
  });

  it('never refunds twice for 20 concurrent retries of one refund, and sends one webhook', async () => {
    running = await startSandbox({ latency: { fixedMs: 10, jitterMs: 20 } });
    const auth = await running.authorize('tok_visa', { amount: 1000 });
    await running.call('POST', `/v1/authorizations/${String(auth.body['id'])}/capture`, {});
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        running!.call(
          'POST',
          '/v1/refunds',
          { authorizationId: auth.body['id'], amount: 100 },
          {
            'idempotency-key': 'refund-once',
          },
        ),
      ),
    );
    expect(new Set(results.map((r) => r.body['id'])).size).toBe(1);
    const after = await running.call('GET', `/v1/authorizations/${String(auth.body['id'])}`);
    expect(after.body['refundedAmount']).toBe(100);
    expect(eventsOf(running, 'payment.refunded')).toHaveLength(1);
  });

  it('refuses an over-long key with 400', async () => {
    running = await startSandbox();
    expect((await running.authorize('tok_visa', { key: 'k'.repeat(256) })).status).toBe(400);
  });
});

describe('IdempotencyStore', () => {
  it('forgets answers after the TTL', () => {
    let now = 0;
    const store = new IdempotencyStore(1000, () => now);
    const fp = requestFingerprint('POST', '/v1/x', { a: 1 });
    store.store('k', fp, { statusCode: 201, body: { id: 1 } });
    expect(store.lookup('k', fp).kind).toBe('replay');
    now = 1000;
    expect(store.lookup('k', fp).kind).toBe('miss');
    store.store('k2', fp, { statusCode: 201, body: {} });
    expect(store.size).toBe(1);
  });

  it('runs work for one key strictly one at a time, and different keys in parallel', async () => {
    const store = new IdempotencyStore(1000);
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, 10));
      log.push(`${name}:end`);
    };
    await Promise.all([
      store.withKey('a', work('a1')),
      store.withKey('a', work('a2')),
      store.withKey('b', work('b1')),
    ]);
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });
});
