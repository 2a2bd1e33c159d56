import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, startSandbox, type RunningSandbox } from './testkit.ts';

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('test tokens', () => {
  it('authorizes tok_visa', async () => {
    running = await startSandbox();
    const res = await running.authorize('tok_visa', { amount: 4200 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'authorized',
      amount: 4200,
      currency: 'EUR',
      reference: 'order_1',
    });
    expect(res.body['declineCode']).toBeUndefined();
    expect(String(res.body['id'])).toMatch(/^auth_[0-9a-f]{32}$/);
  });

  it.each([
    ['tok_chargeDeclined', 'card_declined'],
    ['tok_insufficientFunds', 'insufficient_funds'],
  ])('records %s as declined with %s, and it cannot be captured', async (token, code) => {
    running = await startSandbox();
    const res = await running.authorize(token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'declined', declineCode: code });
    const capture = await running.call('POST', `/v1/authorizations/${String(res.body['id'])}/capture`, {});
    expect(capture.status).toBe(409);
    expect(eventsOf(running, 'payment.declined')).toEqual([res.body['id']]);
  });

  it('refuses an unknown token with a 400 problem naming the known ones, and records nothing', async () => {
    running = await startSandbox();
    const res = await running.authorize('tok_nope');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, code: 'unknown_token' });
    expect(String(res.body['detail'])).toContain('tok_visa');
    expect(running.sandbox.webhooks.list()).toHaveLength(0);
  });

  it('tok_timeout hangs past the client timeout but records the authorization for a retry to find', async () => {
    running = await startSandbox({ timeoutHangMs: 5_000 });
    const request = fetch(`${running.baseUrl}/v1/authorizations`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_emporium',
        'content-type': 'application/json',
        'idempotency-key': 'checkout-timeout-1',
      },
      body: JSON.stringify({ amount: 1999, currency: 'EUR', token: 'tok_timeout', reference: 'order_1' }),
      signal: AbortSignal.timeout(300),
    });
    await expect(request).rejects.toThrow();

    const started = Date.now();
    const retry = await running.authorize('tok_timeout', { key: 'checkout-timeout-1' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body['status']).toBe('authorized');
    expect(eventsOf(running, 'payment.authorized')).toEqual([retry.body['id']]);
    const fetched = await running.call('GET', `/v1/authorizations/${String(retry.body['id'])}`);
    expect(fetched.body).toMatchObject({ id: retry.body['id'], status: 'authorized' });
  });

  it('close() cuts a tok_timeout hang short instead of waiting 30 s', async () => {
    running = await startSandbox();
    const hung = running.authorize('tok_timeout').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await running.close();
    running = undefined;
    await hung;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('tok_flaky500 fails once per idempotency key without acting, then succeeds', async () => {
    running = await startSandbox();
    const first = await running.authorize('tok_flaky500', { key: 'k-flaky' });
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ code: 'simulated_failure' });
    expect(eventsOf(running, 'payment.authorized')).toHaveLength(0);

    const second = await running.authorize('tok_flaky500', { key: 'k-flaky' });
    expect(second.status).toBe(201);
    expect(second.body['status']).toBe('authorized');
    const third = await running.authorize('tok_flaky500', { key: 'k-flaky' });
    expect(third.body['id']).toBe(second.body['id']);
    expect(eventsOf(running, 'payment.authorized')).toHaveLength(1);

    expect((await running.authorize('tok_flaky500', { key: 'k-other' })).status).toBe(500);
  });

  it('tok_flaky500 without a key fails once per reference', async () => {
    running = await startSandbox();
    expect((await running.authorize('tok_flaky500', { reference: 'r1' })).status).toBe(500);
    expect((await running.authorize('tok_flaky500', { reference: 'r1' })).status).toBe(201);
    expect((await running.authorize('tok_flaky500', { reference: 'r2' })).status).toBe(500);
  });
});

describe('requests', () => {
  it('refuses a missing or wrong API key with 401', async () => {
    running = await startSandbox({ apiKey: 'sk_test_custom' });
    expect((await running.authorize('tok_visa')).status).toBe(201);
    const wrong = await running.call('GET', '/v1/authorizations/auth_x', undefined, {
      authorization: 'Bearer sk_test_emporium',
    });
    expect(wrong.status).toBe(401);
    const missing = await fetch(`${running.baseUrl}/v1/authorizations/auth_x`);
    expect(missing.status).toBe(401);
  });

  it('lists every field at fault, refuses strings as amounts and unknown fields', async () => {
    running = await startSandbox();
    const res = await running.call('POST', '/v1/authorizations', {
      amount: '1999',
      currency: 'EURO',
      token: 'tok_visa',
      colour: 'red',
    });
    expect(res.status).toBe(400);
    const fields = (res.body['errors'] as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['body.amount', 'body.colour', 'body.currency', 'body.reference']);
  });

  it.each([0, -5, 12.5, 100_000_000])('refuses amount %s', async (amount) => {
    running = await startSandbox();
    expect((await running.authorize('tok_visa', { amount })).status).toBe(400);
  });

  it('adds the configured latency, fixed plus jitter', async () => {
    running = await startSandbox({ latency: { fixedMs: 120, jitterMs: 100 }, random: () => 1 });
    const started = Date.now();
    await running.authorize('tok_visa');
    expect(Date.now() - started).toBeGreaterThanOrEqual(215);
  });

  it('finds authorizations by reference, for clients that lost an answer', async () => {
    running = await startSandbox();
    const a = await running.authorize('tok_visa', { reference: 'order_77' });
    await running.authorize('tok_visa', { reference: 'order_78' });
    const found = await running.call('GET', '/v1/authorizations?reference=order_77');
    expect((found.body['items'] as { id: string }[]).map((x) => x.id)).toEqual([a.body['id']]);
  });
});
