// A payment webhook moves a parked order forward at once (ADR 0705), without waiting for the recovery loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  testInfrastructure,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import {
  createPaymentSandbox,
  newSandboxCredentials,
  signWebhookPayload,
  SIGNATURE_HEADER,
  type PaymentSandbox,
} from '@emporium/sandbox-payments';
import { buildCheckoutStack, CatalogFixture } from '../scripts/stack.ts';

const address = { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' };

describe(`payment webhooks drive orders (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  const catalog = new CatalogFixture();
  const credentials = newSandboxCredentials();
  let infra: Infrastructure;
  let sandbox: PaymentSandbox;
  let stack: Awaited<ReturnType<typeof buildCheckoutStack>>;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Awaited<ReturnType<typeof testTokens>>;

  beforeAll(async () => {
    infra = await testInfrastructure();
    // tok_timeout authorises at once but holds the answer: with no retries the saga parks the order.
    sandbox = createPaymentSandbox({ logger: false, timeoutHangMs: 3_000, apiKey: credentials.apiKey });
    const gatewayUrl = await sandbox.listen(0);
    stack = await buildCheckoutStack(infra, {
      gatewayUrl,
      ...credentials,
      catalog,
      gatewayTimeoutMs: 150,
      gatewayRetries: 0,
      // Nothing else would move the order for a minute: no recovery loop, a long retry pause.
      orders: { recoveryIntervalMs: 0, retryDelayMs: 60_000 },
    });
    tokens = await testTokens();
    app = await buildTestApp(stack.modules, tokens.verifier);
    for (const module of stack.modules) await module.start?.();
  });
  afterAll(async () => {
    for (const module of stack.modules) await module.stop?.();
    await app.close();
    await sandbox.close();
    await infra.close();
  });

  it('pays a parked order as soon as the authorisation webhook arrives; the timed-out request retried gets it', async () => {
    const seller = newId();
    const sku = uniqueName('WAKE').toUpperCase();
    catalog.add({
      sku,
      productId: newId(),
      sellerId: seller,
      title: 'Wake-up item',
      price: { amount: 1200, currency: 'EUR' },
      status: 'active',
    });
    await stack.inventory.registerSkus([{ sku, sellerId: seller }]);
    await stack.inventory.setStock({ id: seller, role: 'seller' }, sku, 3);
    const customer = newId();
    const headers = { authorization: `Bearer ${await tokens.tokenFor({ id: customer, role: 'customer' })}` };
    await app.inject({ method: 'POST', url: '/api/v1/cart/items', headers, payload: { sku, quantity: 1 } });

    const request = {
      method: 'POST' as const,
      url: '/api/v1/orders',
      headers: { ...headers, 'idempotency-key': newId() },
      payload: { shippingAddress: address, paymentToken: 'tok_timeout' },
    };
    const first = await app.inject(request);
    expect(first.statusCode).toBe(503);
    const orderId = first.json().orderId as string;
    expect((await stack.orders.getOrder(orderId))?.status).toBe('pending_payment');

    const record = sandbox.webhooks
      .list()
      .find(
        (r) => r.event.type === 'payment.authorized' && r.event.data.authorization?.reference === orderId,
      );
    expect(record).toBeDefined();
    const raw = JSON.stringify(record!.event);
    const delivered = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/payments',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhookPayload(raw, credentials.webhookSecret, Math.floor(Date.now() / 1000)),
      },
      payload: raw,
    });
    expect(delivered.json()).toEqual({ received: true, duplicate: false });

    // 'paid' comes before the saga commits the stock: wait for both.
    await expect
      .poll(
        async () => {
          const [level] = await stack.inventory.getStock([sku]);
          const status = (await stack.orders.getOrder(orderId))?.status;
          return { status, onHand: level?.onHand, reserved: level?.reserved };
        },
        // Well inside the 60 s retry pause, so only the wake-up can have moved it; roomy for a loaded CI.
        { timeout: 15_000 },
      )
      .toEqual({ status: 'paid', onHand: 2, reserved: 0 });
    // The client was told to retry with the same key: it gets the order, though its cart is now empty.
    const retry = await app.inject(request);
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.json()).toMatchObject({ id: orderId, status: 'paid' });
  });
});
