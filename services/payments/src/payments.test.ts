import { createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InProcessEventBus,
  MemoryCache,
  createMetricsRegistry,
  newId,
  type Infrastructure,
} from '@emporium/platform';
import { buildTestApp, testDatabase, testTokens, testUrls } from '@emporium/platform/testing';
import {
  createPaymentSandbox,
  newSandboxCredentials,
  signWebhookPayload,
  type PaymentSandbox,
} from '@emporium/sandbox-payments';
import { createPaymentsService } from './service.ts';
import { paymentSettings } from './settings.ts';
import type { GatewayAuthorization } from './gateway.ts';
import type { Payments } from './payments.ts';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;

const { apiKey: API_KEY, webhookSecret: SECRET } = newSandboxCredentials();

describe(`payments (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let sandbox: PaymentSandbox;
  let gatewayUrl: string;
  let payments: Payments;
  let app: TestApp;
  const stops: (() => Promise<void>)[] = [];
  const warnings: string[] = [];

  /** A payments service on the suite's database, talking to the gateway at `url`. */
  async function startService(url: string) {
    const infra: Infrastructure = {
      db: database,
      cache: new MemoryCache(),
      redis: undefined,
      deploymentName: 'emporium',
      bus: new InProcessEventBus(),
      metrics: createMetricsRegistry(),
      logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
      close: async () => undefined,
    };
    const settings = {
      ...paymentSettings({ gatewayUrl: url, gatewayApiKey: API_KEY, webhookSecret: SECRET }),
      timeoutMs: 300,
      retries: 2,
    };
    const built = await createPaymentsService({ config: {} as never, infra }, settings);
    await built.module.start?.();
    const served = await buildTestApp([built.module], (await testTokens()).verifier);
    stops.push(async () => {
      await served.close();
      await built.module.stop?.();
    });
    return { payments: built.api, app: served };
  }

  beforeAll(async () => {
    database = await testDatabase();
    sandbox = createPaymentSandbox({
      logger: false,
      apiKey: API_KEY,
      latency: { fixedMs: 5, jitterMs: 10 },
    });
    gatewayUrl = await sandbox.listen(0);
    ({ payments, app } = await startService(gatewayUrl));
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await sandbox.close();
    await database.close();
  });

  /** Calls the sandbox directly, as the gateway's own dashboard or another client would. */
  async function atGateway(method: string, path: string, body?: unknown): Promise<GatewayAuthorization> {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as GatewayAuthorization;
  }

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
    const found = await fetch(`${gatewayUrl}/v1/authorizations?reference=${r.orderId}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(((await found.json()) as { items: unknown[] }).items).toHaveLength(1);
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
    await atGateway('POST', '/v1/authorizations', {
      amount: 1999,
      currency: 'EUR',
      token: 'tok_visa',
      reference: r.orderId,
    });
    const cancelled = await payments.cancel(r.orderId);
    expect(cancelled?.status).toBe('voided');
  });

  describe('webhook', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const post = (body: string, signature: string | undefined, to: TestApp = app) =>
      to.inject({
        method: 'POST',
        url: '/api/v1/webhooks/payments',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'emporium-signature': signature } : {}),
        },
        payload: body,
      });
    /** Correctly signed, as by someone who holds the secret: the body says whatever its author wants. */
    const deliver = (body: string, to: TestApp = app) =>
      post(body, signWebhookPayload(body, SECRET, now()), to);
    const warnedAbout = (body: string) => {
      const { id } = JSON.parse(body) as { id: string };
      return warnings.some((line) => line.includes('payment webhook not applied') && line.includes(id));
    };
    const eventBody = (type: string, authorization: Partial<GatewayAuthorization>) =>
      JSON.stringify({ id: `evt_${newId()}`, type, created: now(), data: { authorization } });
    const claim = (status: GatewayAuthorization['status'], id: string | undefined, reference: string) => ({
      id,
      status,
      amount: 1999,
      currency: 'EUR',
      reference,
      capturedAmount: status === 'authorized' ? 0 : 1999,
      refundedAmount: status === 'refunded' ? 1999 : 0,
    });

    /** An authorised payment captured at the gateway, and the gateway's genuine event about it. */
    async function capturedEventFor() {
      const r = request('tok_visa');
      const intent = await payments.authorize(r);
      const captured = await atGateway('POST', `/v1/authorizations/${intent.authorizationId}/capture`, {});
      return { orderId: r.orderId, body: eventBody('payment.captured', captured) };
    }

    it('applies a genuine signed event once and refuses its replay', async () => {
      const { orderId, body } = await capturedEventFor();
      const first = await deliver(body);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ received: true, duplicate: false });
      expect(await payments.getIntent(orderId)).toMatchObject({ status: 'captured', capturedAmount: 1999 });
      const replay = await deliver(body);
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

    it('does not mark a payment captured on a signed event when the gateway captured nothing', async () => {
      const r = request('tok_visa');
      const intent = await payments.authorize(r);
      const answer = await deliver(
        eventBody('payment.captured', claim('captured', intent.authorizationId, r.orderId)),
      );
      expect(answer.json()).toEqual({ received: true, duplicate: false });
      expect(await payments.getIntent(r.orderId)).toEqual(intent);
      expect(await atGateway('GET', `/v1/authorizations/${intent.authorizationId}`)).toMatchObject({
        status: 'authorized',
        capturedAmount: 0,
      });
      expect(await payments.capture(r.orderId)).toMatchObject({ status: 'captured', capturedAmount: 1999 });
    });

    it("leaves order A alone on an event naming order B's authorisation, and A still refunds", async () => {
      const a = request('tok_visa');
      await payments.authorize(a);
      const paidA = await payments.capture(a.orderId);
      const b = request('tok_visa');
      await payments.authorize(b);
      const paidB = await payments.capture(b.orderId);
      // At the gateway the authorisation is B's: reading it back applies B's true state to B alone.
      const answer = await deliver(
        eventBody('payment.refunded', claim('refunded', paidB.authorizationId, a.orderId)),
      );
      expect(answer.statusCode).toBe(200);
      expect(await payments.getIntent(a.orderId)).toEqual(paidA);
      expect(await payments.getIntent(b.orderId)).toEqual(paidB);
      expect(await payments.refund(a.orderId)).toMatchObject({
        status: 'refunded',
        authorizationId: paidA.authorizationId,
        refundedAmount: 1999,
      });
      expect(await atGateway('GET', `/v1/authorizations/${paidA.authorizationId}`)).toMatchObject({
        status: 'refunded',
        refundedAmount: 1999,
      });
    });

    it('ignores an event naming an authorisation the gateway does not know', async () => {
      const r = request('tok_visa');
      const intent = await payments.authorize(r);
      const body = eventBody('payment.captured', claim('captured', 'auth_forged', r.orderId));
      expect((await deliver(body)).json()).toEqual({ received: true, duplicate: false });
      expect(await payments.getIntent(r.orderId)).toEqual(intent);
      expect(warnedAbout(body)).toBe(true);
    });

    it.each([
      ['amount', { amount: 1, currency: 'EUR' }],
      ['currency', { amount: 1999, currency: 'USD' }],
    ])('does not apply a gateway authorisation whose %s differs from the intent', async (_, money) => {
      const r = request('tok_visa');
      const { intent } = await payments.store.ensureIntent(r);
      const other = await atGateway('POST', '/v1/authorizations', {
        ...money,
        token: 'tok_visa',
        reference: r.orderId,
      });
      const body = eventBody('payment.authorized', claim('authorized', other.id, r.orderId));
      expect((await deliver(body)).json()).toEqual({ received: true, duplicate: false });
      expect(await payments.getIntent(r.orderId)).toEqual(intent);
      expect(warnedAbout(body)).toBe(true);
    });

    it('does not replace the authorisation a payment holds with another one of its reference', async () => {
      const r = request('tok_visa');
      const intent = await payments.authorize(r);
      const other = await atGateway('POST', '/v1/authorizations', {
        amount: 1999,
        currency: 'EUR',
        token: 'tok_visa',
        reference: r.orderId,
      });
      await atGateway('POST', `/v1/authorizations/${other.id}/capture`, {});
      const body = eventBody('payment.captured', claim('captured', other.id, r.orderId));
      expect((await deliver(body)).json()).toEqual({ received: true, duplicate: false });
      expect(await payments.getIntent(r.orderId)).toEqual(intent);
      expect(warnedAbout(body)).toBe(true);
    });

    it('answers 503 and keeps the event unaccepted while the gateway cannot be reached', async () => {
      const { orderId, body } = await capturedEventFor();
      const cutOff = await startService(await closedPortUrl());
      const failed = await deliver(body, cutOff.app);
      expect(failed.statusCode).toBe(503);
      expect((await payments.getIntent(orderId))?.status).toBe('authorized');
      // The gateway's retry of the same event, once it is reachable again, is applied.
      const retried = await deliver(body);
      expect(retried.json()).toEqual({ received: true, duplicate: false });
      expect((await payments.getIntent(orderId))?.status).toBe('captured');
    });
  });
});

/** A local URL where nothing listens: connections are refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
