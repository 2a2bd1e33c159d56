import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from './testkit.ts';

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function captured(r: RunningSandbox, authorized: number, capture?: number): Promise<string> {
  const auth = await r.authorize('tok_visa', { amount: authorized });
  const id = String(auth.body['id']);
  const res = await r.call(
    'POST',
    `/v1/authorizations/${id}/capture`,
    capture === undefined ? {} : { amount: capture },
  );
  expect(res.status).toBe(200);
  return id;
}

describe('capture', () => {
  it('captures the full amount by default, or a smaller part, once', async () => {
    running = await startSandbox();
    const full = await captured(running, 1000);
    expect((await running.call('GET', `/v1/authorizations/${full}`)).body).toMatchObject({
      status: 'captured',
      capturedAmount: 1000,
    });
    const partial = await captured(running, 1000, 600);
    expect((await running.call('GET', `/v1/authorizations/${partial}`)).body['capturedAmount']).toBe(600);
    const twice = await running.call('POST', `/v1/authorizations/${partial}/capture`, { amount: 400 });
    expect(twice.status).toBe(409);
    expect(twice.body['code']).toBe('invalid_state');
  });

  it('refuses to capture more than was authorized', async () => {
    running = await startSandbox();
    const auth = await running.authorize('tok_visa', { amount: 1000 });
    const res = await running.call('POST', `/v1/authorizations/${String(auth.body['id'])}/capture`, {
      amount: 1001,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'amount_too_large' });
    expect((await running.call('GET', `/v1/authorizations/${String(auth.body['id'])}`)).body['status']).toBe(
      'authorized',
    );
  });

  it('answers 404 for an unknown authorization', async () => {
    running = await startSandbox();
    const res = await running.call('POST', '/v1/authorizations/auth_missing/capture', {});
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('void', () => {
  it('voids an authorized payment, with or without a body, and then refuses capture', async () => {
    running = await startSandbox();
    const auth = await running.authorize('tok_visa');
    const id = String(auth.body['id']);
    const res = await fetch(`${running.baseUrl}/v1/authorizations/${id}/void`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_emporium' },
    });
    expect(res.status).toBe(200);
    expect((await running.call('POST', `/v1/authorizations/${id}/capture`, {})).status).toBe(409);
  });

  it('refuses to void a captured payment', async () => {
    running = await startSandbox();
    const id = await captured(running, 500);
    const res = await running.call('POST', `/v1/authorizations/${id}/void`, {});
    expect(res.status).toBe(409);
    expect(String(res.body['detail'])).toContain('captured');
  });
});

describe('refunds', () => {
  it('refunds in parts up to the captured total, then marks the payment refunded', async () => {
    running = await startSandbox();
    const id = await captured(running, 1000, 800);
    const first = await running.call('POST', '/v1/refunds', { authorizationId: id, amount: 500 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      authorizationId: id,
      amount: 500,
      currency: 'EUR',
      status: 'succeeded',
    });
    const over = await running.call('POST', '/v1/refunds', { authorizationId: id, amount: 301 });
    expect(over.status).toBe(409);
    expect(over.body['code']).toBe('amount_too_large');
    expect((await running.call('POST', '/v1/refunds', { authorizationId: id, amount: 300 })).status).toBe(
      201,
    );
    const after = await running.call('GET', `/v1/authorizations/${id}`);
    expect(after.body).toMatchObject({ status: 'refunded', refundedAmount: 800 });
    expect(after.body['refunds']).toHaveLength(2);
    const refund = await running.call('GET', `/v1/refunds/${String(first.body['id'])}`);
    expect(refund.body['amount']).toBe(500);
  });

  it('refuses refunds of payments not captured', async () => {
    running = await startSandbox();
    const auth = await running.authorize('tok_visa');
    const res = await running.call('POST', '/v1/refunds', { authorizationId: auth.body['id'], amount: 1 });
    expect(res.status).toBe(409);
    expect(
      (await running.call('POST', '/v1/refunds', { authorizationId: 'auth_nope', amount: 1 })).status,
    ).toBe(404);
  });

  it('never over-refunds under 30 concurrent refunds without keys', async () => {
    running = await startSandbox({ latency: { jitterMs: 20 } });
    const id = await captured(running, 1000);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        running!.call('POST', '/v1/refunds', { authorizationId: id, amount: 100 }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409)).toHaveLength(20);
    expect((await running.call('GET', `/v1/authorizations/${id}`)).body['refundedAmount']).toBe(1000);
  });
});
