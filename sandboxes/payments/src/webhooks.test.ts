import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@emporium/payments';
import { startSandbox, type RunningSandbox } from './testkit.ts';
import type { WebhookEvent } from './types.ts';

const secret = 'whsec_test_receiver';

interface Received {
  rawBody: string;
  signature: string | undefined;
  answered: number;
}

/** A merchant endpoint that keeps the raw body (signatures cover bytes, not parsed JSON). */
async function startReceiver(statusFor: (attempt: number) => number) {
  const received: Received[] = [];
  const app: FastifyInstance = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/payments', async (request, reply) => {
    const answered = statusFor(received.length + 1);
    const signature = request.headers['emporium-signature'];
    received.push({
      rawBody: String(request.body),
      signature: typeof signature === 'string' ? signature : undefined,
      answered,
    });
    return reply.code(answered).send({ received: true });
  });
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/payments`;
  return { app, url, received };
}

let running: RunningSandbox | undefined;
let receiver: FastifyInstance | undefined;
afterEach(async () => {
  await running?.close();
  await receiver?.close();
  running = undefined;
  receiver = undefined;
});

const eventOf = (r: Received) => JSON.parse(r.rawBody) as WebhookEvent;

describe('webhooks', () => {
  it('sends one signed event per action, which the documented algorithm verifies', async () => {
    const rx = await startReceiver(() => 204);
    receiver = rx.app;
    running = await startSandbox({ webhookUrl: rx.url, webhookSecret: secret });
    const auth = await running.authorize('tok_visa', { amount: 1000 });
    const id = String(auth.body['id']);
    await running.call('POST', `/v1/authorizations/${id}/capture`, {});
    await running.call('POST', '/v1/refunds', { authorizationId: id, amount: 250 });
    const other = await running.authorize('tok_visa');
    await running.call('POST', `/v1/authorizations/${String(other.body['id'])}/void`, {});
    await running.authorize('tok_insufficientFunds');
    await running.sandbox.webhooks.idle();

    const types = rx.received.map((r) => eventOf(r).type).sort();
    expect(types).toEqual(
      [
        'payment.authorized',
        'payment.authorized',
        'payment.captured',
        'payment.declined',
        'payment.refunded',
        'payment.voided',
      ].sort(),
    );
    for (const r of rx.received) {
      expect(r.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(r.rawBody, r.signature, secret)).toMatchObject({ ok: true });
      expect(verifyWebhookSignature(r.rawBody, r.signature, 'whsec_wrong').ok).toBe(false);
    }
    const refunded = rx.received.map(eventOf).find((e) => e.type === 'payment.refunded')!;
    expect(refunded.data.refund).toMatchObject({ authorizationId: id, amount: 250 });
    expect(refunded.data.authorization).toMatchObject({ id, refundedAmount: 250 });
    expect(refunded.id).toMatch(/^evt_/);
    expect(typeof refunded.created).toBe('number');
  });

  it('retries a failing receiver with growing delays until it answers 2xx, re-signing each attempt', async () => {
    const rx = await startReceiver((attempt) => (attempt <= 2 ? 500 : 200));
    receiver = rx.app;
    running = await startSandbox({ webhookUrl: rx.url, webhookSecret: secret, webhookBackoffMs: 40 });
    await running.authorize('tok_visa');
    await running.sandbox.webhooks.idle();

    expect(rx.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(rx.received.map((r) => eventOf(r).id)).size).toBe(1);
    for (const r of rx.received) expect(verifyWebhookSignature(r.rawBody, r.signature, secret).ok).toBe(true);
    const [record] = running.sandbox.webhooks.list();
    expect(record?.state).toBe('delivered');
    const at = record!.attempts.map((a) => a.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(35);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(75);
  });

  it('gives up after the configured number of attempts', async () => {
    const rx = await startReceiver(() => 503);
    receiver = rx.app;
    running = await startSandbox({
      webhookUrl: rx.url,
      webhookSecret: secret,
      webhookMaxAttempts: 3,
      webhookBackoffMs: 10,
    });
    await running.authorize('tok_visa');
    await running.sandbox.webhooks.idle();
    expect(rx.received).toHaveLength(3);
    const events = await running.call('GET', '/v1/events');
    expect(events.body['items']).toMatchObject([
      { state: 'failed', attempts: [{ statusCode: 503 }, {}, {}] },
    ]);
  });

  it('retries when the receiver is unreachable, and stops retrying on close', async () => {
    running = await startSandbox({
      webhookUrl: 'http://127.0.0.1:9/unreachable',
      webhookSecret: secret,
      webhookBackoffMs: 10_000,
    });
    await running.authorize('tok_visa');
    await new Promise((r) => setTimeout(r, 200));
    const [record] = running.sandbox.webhooks.list();
    expect(record?.attempts[0]?.error).toBeTruthy();
    const started = Date.now();
    await running.close();
    running = undefined;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not send a second event for a replayed idempotent request', async () => {
    const rx = await startReceiver(() => 200);
    receiver = rx.app;
    running = await startSandbox({ webhookUrl: rx.url, webhookSecret: secret });
    await running.authorize('tok_visa', { key: 'once' });
    await running.authorize('tok_visa', { key: 'once' });
    await running.sandbox.webhooks.idle();
    expect(rx.received).toHaveLength(1);
  });

  it('refuses a webhook URL without a secret', async () => {
    await expect(() => startSandbox({ webhookUrl: 'http://127.0.0.1:1/x' })).rejects.toThrow(/webhookSecret/);
  });
});
