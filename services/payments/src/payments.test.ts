import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InProcessEventBus,
  MemoryCache,
  createMetricsRegistry,
  newId,
  type Infrastructure,
} from '@emporium/platform';
import { buildTestApp, silentLogger, testDatabase, testUrls } from '@emporium/platform/testing';
import { createPaymentSandbox, signWebhookPayload, type PaymentSandbox } from '@emporium/sandbox-payments';
import { createPaymentsService } from './service.ts';
import { paymentSettings } from './settings.ts';
import type { Payments } from './payments.ts';

const SECRET = 'whsec_test_payments';

describe(`payments (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let sandbox: PaymentSandbox;
  let gatewayUrl: string;
  let payments: Payments;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let stopModule: () => Promise<void>;

  beforeAll(async () => {
    database = await testDatabase();
    sandbox = createPaymentSandbox({ logger: false, latency: { fixedMs: 5, jitterMs: 10 } });
    gatewayUrl = await sandbox.listen(0);
    const infra: Infrastructure = {
      db: database,
      cache: new MemoryCache(),
      redis: undefined,
      bus: new InProcessEventBus(),
      metrics: createMetricsRegistry(),
      logger: silentLogger(),
      close: async () => undefined,
    };
    const settings = {
      ...paymentSettings({ gatewayUrl, webhookSecret: SECRET }),
      timeoutMs: 300,
      retries: 2,
    };
    const built = await createPaymentsService({ config: {} as never, infra }, settings);
    payments = built.api;
    await built.module.start?.();
    const { testTokens } = await import('@emporium/platform/testing');
    app = await buildTestApp([built.module], (await testTokens()).verifier);
    stopModule = async () => {
      await app.close();
      await built.module.stop?.();
    };
  });
  afterAll(async () => {
    await stopModule();
    await sandbox.close();
    await database.close();
  });

  const request = (token: string, amount = 1999) => ({
    orderId: newId(),
    customerId: newId(),
    amount: { amount, currency: 'EUR' },
    token,
  });

  it('authorises, captures and refunds one payment', async () => {
    const r = request('tok_visa');
    expect((await payments.authorize(r)).status).toBe('authorized');
    expect((await payments.capture(r.orderId)).status).toBe('captured');
    expect(await payments.capture(r.orderId)).toMatchObject({ status: 'captured', capturedAmount: 1999 });
    expect(await payments.refund(r.orderId)).toMatchObject({ status: 'refunded', refundedAmount: 1999 });
  });

  it('makes one gateway authorisation for 20 concurrent authorises of one order', async () => {
    const r = request('tok_visa');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => payments.authorize(r)));
    expect(results.every((x) => x.status === 'fulfilled')).toBe(true);
    const res = await fetch(`${gatewayUrl}/v1/authorizations?reference=${r.orderId}`, {
      headers: { authorization: 'Bearer sk_test_emporium' },
    });
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('turns a decline into PaymentDeclined and remembers it', async () => {
    const r = request('tok_chargeDeclined');
    await expect(payments.authorize(r)).rejects.toMatchObject({
      kind: 'PaymentDeclined',
      details: { declineCode: 'card_declined' },
    });
    expect((await payments.getIntent(r.orderId))?.status).toBe('declined');
    await expect(payments.authorize(r)).rejects.toMatchObject({ kind: 'PaymentDeclined' });
  });

  it('refuses an amount below one minor unit before any intent or gateway call, as the route does', async () => {
    for (const amount of [0, -5, 1.5]) {
      const r = request('tok_visa', amount);
      await expect(payments.authorize(r)).rejects.toMatchObject({ kind: 'Validation' });
      expect(await payments.getIntent(r.orderId)).toBeUndefined();
    }
  });

  it('treats a request the gateway refuses (over its amount limit) as final, not as an outage', async () => {
    const r = request('tok_visa', 100_000_000);
    await expect(payments.authorize(r)).rejects.toMatchObject({ kind: 'Validation' });
    const attempts = await payments.store.attempts((await payments.getIntent(r.orderId))!.id);
    expect(attempts).toHaveLength(1);
  });

  it('retries a timed-out or failed call with the same key and charges once', async () => {
    for (const token of ['tok_timeout', 'tok_flaky500']) {
      const r = request(token);
      expect((await payments.authorize(r)).status).toBe('authorized');
      const attempts = await payments.store.attempts((await payments.getIntent(r.orderId))!.id);
      expect(new Set(attempts.map((a) => a.idempotency_key)).size).toBe(1);
    }
  });

  it('voids an authorisation whose answer was lost', async () => {
    const r = request('tok_visa');
    // The intent exists and the gateway holds an authorisation, but its answer never reached us.
    await payments.store.ensureIntent(r);
    await fetch(`${gatewayUrl}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_emporium', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1999, currency: 'EUR', token: 'tok_visa', reference: r.orderId }),
    });
    const cancelled = await payments.cancel(r.orderId);
    expect(cancelled?.status).toBe('voided');
  });

  describe('webhook', () => {
    const post = (body: string, signature: string | undefined) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/webhooks/payments',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'emporium-signature': signature } : {}),
        },
        payload: body,
      });

    async function capturedEventFor() {
      const r = request('tok_visa');
      const intent = await payments.authorize(r);
      const event = {
        id: `evt_${newId()}`,
        type: 'payment.captured',
        created: Math.floor(Date.now() / 1000),
        data: {
          authorization: {
            id: intent.authorizationId,
            status: 'captured',
            amount: 1999,
            currency: 'EUR',
            reference: r.orderId,
            capturedAmount: 1999,
            refundedAmount: 0,
          },
        },
      };
      return { orderId: r.orderId, body: JSON.stringify(event) };
    }
    const now = () => Math.floor(Date.now() / 1000);

    it('applies a signed event once and refuses its replay', async () => {
      const { orderId, body } = await capturedEventFor();
      const first = await post(body, signWebhookPayload(body, SECRET, now()));
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ received: true, duplicate: false });
      expect((await payments.getIntent(orderId))?.status).toBe('captured');
      const replay = await post(body, signWebhookPayload(body, SECRET, now()));
      expect(replay.json()).toEqual({ received: true, duplicate: true });
    });

    it('refuses forged, stale and unsigned events and changes nothing', async () => {
      const { orderId, body } = await capturedEventFor();
      const forged = await post(body, signWebhookPayload(body, 'not-the-secret', now()));
      const stale = await post(body, signWebhookPayload(body, SECRET, now() - 3600));
      const tampered = await post(body.replace('1999', '1'), signWebhookPayload(body, SECRET, now()));
      const unsigned = await post(body, undefined);
      for (const answer of [forged, stale, tampered, unsigned]) expect(answer.statusCode).toBe(400);
      expect((await payments.getIntent(orderId))?.status).toBe('authorized');
    });
  });
});
