import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, newId, type Infrastructure } from '@emporium/platform';
import {
  buildTestApp,
  testInfrastructure,
  testTokens,
  testUrls,
  uniqueName,
} from '@emporium/platform/testing';
import { createPaymentSandbox, newSandboxCredentials, type PaymentSandbox } from '@emporium/sandbox-payments';
import { createUsersService } from '@emporium/users';
import { buildCheckoutStack, CatalogFixture } from '../scripts/stack.ts';

const address = {
  name: 'Grace Hopper',
  line1: '1 Compiler Way',
  city: 'Arlington',
  postalCode: '22201',
  country: 'US',
};
const GOOD_PASSWORD = 'correct horse battery staple 42';

describe(`guest checkout, saved addresses and checkout problems (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  const catalog = new CatalogFixture();
  const credentials = newSandboxCredentials();
  let infra: Infrastructure;
  let sandbox: PaymentSandbox;
  let gatewayUrl: string;
  let stack: Awaited<ReturnType<typeof buildCheckoutStack>>;
  let users: Awaited<ReturnType<typeof createUsersService>>;
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  let tokens: Awaited<ReturnType<typeof testTokens>>;

  beforeAll(async () => {
    infra = await testInfrastructure();
    sandbox = createPaymentSandbox({ logger: false, timeoutHangMs: 5_000, apiKey: credentials.apiKey });
    gatewayUrl = await sandbox.listen(0);
    users = await createUsersService(
      { config: loadConfig({}), infra },
      { throttleNamespace: `${uniqueName('throttle')}:` },
    );
    stack = await buildCheckoutStack(infra, { gatewayUrl, ...credentials, catalog, users: users.api });
    tokens = await testTokens();
    app = await buildTestApp(stack.modules, tokens.verifier);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await infra.close();
  });

  async function product(onHand: number, price = 1000): Promise<string> {
    const sku = uniqueName('GST').toUpperCase();
    const seller = newId();
    catalog.add({
      sku,
      productId: newId(),
      sellerId: seller,
      title: `Item ${sku}`,
      price: { amount: price, currency: 'USD' },
      status: 'active',
    });
    await stack.inventory.registerSkus([{ sku, sellerId: seller }]);
    await stack.inventory.setStock({ id: seller, role: 'seller' }, sku, onHand);
    return sku;
  }
  const bearer = async (id: string) => ({
    authorization: `Bearer ${await tokens.tokenFor({ id, role: 'customer' })}`,
  });
  /** A guest cart holding `quantity` of `sku`: its id, as the cart answers it. */
  async function guestCart(sku: string, quantity = 1): Promise<string> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/cart/items', payload: { sku, quantity } });
    expect(res.statusCode).toBe(200);
    return res.headers['x-cart-id'] as string;
  }
  const guestCheckout = (cartId: string | undefined, body: Record<string, unknown>, key = newId()) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/orders/guest',
      headers: { 'idempotency-key': key, ...(cartId ? { 'x-cart-id': cartId } : {}) },
      payload: body,
    });
  async function account(email: string) {
    const session = await users.users.accounts.register({
      email,
      password: GOOD_PASSWORD,
      name: 'Grace Hopper',
      role: 'customer',
    });
    return session.user.id;
  }
  const stock = async (sku: string) => (await stack.inventory.getStock([sku]))[0]!;

  it('checks a guest cart out with an e-mail; the token opens the order, a retry gets the same order', async () => {
    const sku = await product(5, 1250);
    const cartId = await guestCart(sku, 2);
    const email = `${uniqueName('guest')}@example.com`;
    const key = newId();
    const body = { email, shippingAddress: address, paymentToken: 'tok_visa' };
    const res = await guestCheckout(cartId, body, key);
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ status: 'paid', email, total: { amount: 2500, currency: 'USD' } });
    expect(order.guestAccess.url).toBe(`/api/v1/orders/guest/${order.guestAccess.token}`);
    const opened = await app.inject({ url: order.guestAccess.url });
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ id: order.id, status: 'paid' });
    expect(await stock(sku)).toMatchObject({ onHand: 3, reserved: 0 });
    // The guest cart is emptied by the checkout.
    const cart = await app.inject({ url: '/api/v1/cart', headers: { 'x-cart-id': cartId } });
    expect(cart.json().items).toEqual([]);

    const retry = await guestCheckout(cartId, body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ id: order.id, guestAccess: order.guestAccess });
    expect(await stock(sku)).toMatchObject({ onHand: 3, reserved: 0 });
    const other = await guestCheckout(cartId, { ...body, paymentToken: 'tok_mastercard' }, key);
    expect(other.statusCode).toBe(422);
  });

  it('keeps a guest order from anyone without its token', async () => {
    const sku = await product(5);
    const cartId = await guestCart(sku);
    const email = `${uniqueName('guest')}@example.com`;
    const order = (
      await guestCheckout(cartId, { email, shippingAddress: address, paymentToken: 'tok_visa' })
    ).json();
    const [id, mac] = (order.guestAccess.token as string).split('.') as [string, string];
    const flipped = `${id}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [flipped, id, `${newId()}.${mac}`, 'x'.repeat(80)]) {
      const res = await app.inject({ url: `/api/v1/orders/guest/${encodeURIComponent(token)}` });
      expect(res.statusCode, token).toBe(404);
    }
    expect((await app.inject({ url: `/api/v1/orders/${order.id}` })).statusCode).toBe(401);
    const stranger = newId();
    expect(
      (await app.inject({ url: `/api/v1/orders/${order.id}`, headers: await bearer(stranger) })).statusCode,
    ).toBe(404);
    // Another customer holding the token cannot take the order: its e-mail is not theirs.
    const thief = await account(`${uniqueName('thief')}@example.com`);
    const claim = await app.inject({
      method: 'POST',
      url: '/api/v1/orders/claim',
      headers: await bearer(thief),
      payload: { token: order.guestAccess.token },
    });
    expect(claim.statusCode).toBe(403);
    expect((await stack.orders.store.row(order.id))!.customer_id).toBe(`guest:${cartId}`);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/orders/claim',
      headers: await bearer(thief),
      payload: { token: flipped },
    });
    expect(wrong.statusCode).toBe(404);
  });

  it('links the order to the account that signs up with the same e-mail and shows its token', async () => {
    const sku = await product(5);
    const cartId = await guestCart(sku);
    const local = uniqueName('later');
    const key = newId();
    const body = { email: `${local}@Example.COM`, shippingAddress: address, paymentToken: 'tok_visa' };
    const order = (await guestCheckout(cartId, body, key)).json();
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/v1/orders/claim',
      payload: { token: order.guestAccess.token },
    });
    expect(anonymous.statusCode).toBe(401);
    // The same address as normalised (ADR 0502): case does not make it another one.
    const customer = await account(`${local.toUpperCase()}@example.com`);
    const link = async () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/orders/claim',
        headers: await bearer(customer),
        payload: { token: order.guestAccess.token },
      });
    const first = await link();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: order.id, customerId: customer });
    expect((await link()).statusCode).toBe(200);
    const mine = (await app.inject({ url: '/api/v1/orders', headers: await bearer(customer) })).json();
    expect(mine.items.map((o: { id: string }) => o.id)).toEqual([order.id]);
    // The guest's retry with its key still answers the same order after the link, and the link works.
    const retry = await guestCheckout(cartId, body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(order.id);
    expect((await app.inject({ url: order.guestAccess.url })).statusCode).toBe(200);
  });

  it('answers field problems for a guest checkout that cannot go ahead, changing nothing', async () => {
    const sku = await product(2);
    const cartId = await guestCart(sku);
    const ok = {
      email: `${uniqueName('g')}@example.com`,
      shippingAddress: address,
      paymentToken: 'tok_visa',
    };
    const cases: [Record<string, unknown>, string | undefined, string, string][] = [
      [{ ...ok, email: 'not-an-email' }, cartId, 'email', 'name@example.com'],
      [{ ...ok, email: undefined }, cartId, 'body.email', 'is required'],
      [
        { ...ok, shippingAddress: { ...address, city: undefined } },
        cartId,
        'body.shippingAddress.city',
        'is required',
      ],
      [ok, undefined, 'x-cart-id', 'is required'],
      [ok, newId(), 'cart', 'is empty'],
    ];
    for (const [body, cart, field, message] of cases) {
      const res = await guestCheckout(cart, body);
      expect(res.statusCode, field).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field, message: expect.stringContaining(message) }),
        ]),
      );
    }
    expect(await stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
    const signedIn = await app.inject({
      method: 'POST',
      url: '/api/v1/orders/guest',
      headers: { ...(await bearer(newId())), 'x-cart-id': cartId },
      payload: ok,
    });
    expect(signedIn.statusCode).toBe(400);
  });

  it("checks out to a saved address; another customer's address id is a 400 and changes nothing", async () => {
    const sku = await product(4, 700);
    const owner = await account(`${uniqueName('owner')}@example.com`);
    const saved = await users.users.addresses.create(owner, { ...address, line2: 'Suite 9', region: 'VA' });
    const other = await account(`${uniqueName('other')}@example.com`);
    const fill = async (customer: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/cart/items',
        headers: await bearer(customer),
        payload: { sku, quantity: 1 },
      });
      expect(res.statusCode).toBe(200);
    };
    const checkout = async (customer: string, body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...(await bearer(customer)), 'idempotency-key': newId() },
        payload: { paymentToken: 'tok_visa', ...body },
      });

    await fill(other);
    const refused = await checkout(other, { shippingAddressId: saved.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([
      { field: 'shippingAddressId', message: 'is not an address of your address book' },
    ]);
    expect(await stock(sku)).toMatchObject({ onHand: 4, reserved: 0 });
    expect((await app.inject({ url: '/api/v1/orders', headers: await bearer(other) })).json().total).toBe(0);
    expect((await app.inject({ url: '/api/v1/cart', headers: await bearer(other) })).json().itemCount).toBe(
      1,
    );
    for (const body of [
      { shippingAddressId: saved.id, shippingAddress: address },
      {},
      { shippingAddressId: 'home' },
    ]) {
      const res = await checkout(other, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().errors.length).toBeGreaterThan(0);
    }

    await fill(owner);
    const placed = await checkout(owner, { shippingAddressId: saved.id });
    expect(placed.statusCode).toBe(201);
    expect(placed.json().shippingAddress).toEqual({ ...address, line2: 'Suite 9', region: 'VA' });
    // The order keeps its copy: a later change to the address book does not move it.
    await users.users.addresses.update(owner, saved.id, { line1: '2 Other Road' });
    const again = await app.inject({
      url: `/api/v1/orders/${placed.json().id}`,
      headers: await bearer(owner),
    });
    expect(again.json().shippingAddress.line1).toBe(address.line1);
  });

  it('names the missing address fields and the empty cart of a customer checkout', async () => {
    const customer = newId();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: await bearer(customer),
      payload: { shippingAddress: { name: 'A', line1: '1 St', country: 'US' }, paymentToken: 'tok_visa' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { field: 'body.shippingAddress.city', message: 'is required' },
        { field: 'body.shippingAddress.postalCode', message: 'is required' },
      ]),
    );
    const empty = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: await bearer(customer),
      payload: { shippingAddress: address, paymentToken: 'tok_visa' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([
      { field: 'cart', message: 'is empty: add at least one item to the cart before checking out' },
    ]);
  });
});
