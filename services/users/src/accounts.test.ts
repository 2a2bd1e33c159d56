import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, uniqueEmail, usersHarness, type UsersHarness } from './testing/harness.ts';
import { client, type SessionBody } from './testing/requests.ts';
import { testServiceTokens } from '@emporium/platform/testing';

const ADMIN_EMAIL = uniqueEmail('admin');
const ADMIN_PASSWORD = 'granite-meadow-31-falcon';
let h: UsersHarness;
let api: ReturnType<typeof client>;
let admin: SessionBody;

beforeAll(async () => {
  h = await usersHarness({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });
  api = client(h.app);
  admin = (await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)).json();
});
afterAll(() => h.close());

const address = {
  name: 'Ann Example',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'us',
};

describe('registration', () => {
  it('creates a customer and answers with the user and a token pair', async () => {
    const email = uniqueEmail('Ann');
    const res = await api.register({ email: `  ${email.toUpperCase()} ` });
    expect(res.statusCode).toBe(201);
    const body = res.json<SessionBody>();
    expect(body.user).toMatchObject({
      role: 'customer',
      name: 'Ann Example',
      email: `${email.split('@')[0]!.toUpperCase()}@example.com`,
    });
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await api.me(body.accessToken)).json()).toMatchObject({ id: body.user.id });
  });

  it('refuses a second account with the same email in another case', async () => {
    const email = uniqueEmail();
    expect((await api.register({ email })).statusCode).toBe(201);
    const again = await api.register({ email: email.toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/problem\+json/);
  });

  it('creates a seller with a store name and a public profile reachable by id and slug', async () => {
    const storeName = `Acme Tools ${Date.now()}`;
    const res = await api.register({ role: 'seller', storeName, description: 'Hammers and more' });
    expect(res.statusCode).toBe(201);
    const seller = res.json<SessionBody & { user: { seller: { slug: string } } }>().user;
    const byId = await api.call('GET', `/api/v1/sellers/${seller.id}`);
    expect(byId.json()).toMatchObject({ id: seller.id, storeName, description: 'Hammers and more' });
    expect((await api.call('GET', `/api/v1/sellers/${seller.seller.slug}`)).json().id).toBe(seller.id);
    expect((await api.register({ role: 'seller', storeName: storeName.toUpperCase() })).statusCode).toBe(409);
    expect((await api.register({ role: 'seller' })).statusCode).toBe(400);
    expect((await api.register({ role: 'customer', storeName: 'Nope' })).statusCode).toBe(400);
  });

  it('refuses a common password with a message that says why', async () => {
    const res = await api.register({ password: 'Password123!' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'password', message: expect.stringMatching(/too common/) }]);
  });

  it('writes a users.user.registered event in the same transaction', async () => {
    const { user } = (await api.register()).json<SessionBody>();
    const rows = await h.users.store.db
      .selectFrom('outbox')
      .select('type')
      .where('subject', '=', user.id)
      .execute();
    expect(rows.map((r) => r.type)).toEqual(['users.user.registered']);
  });
});

describe('login', () => {
  it('answers an unknown email and a wrong password alike: same status, same body, similar time', async () => {
    const email = uniqueEmail();
    await api.register({ email });
    const timed = async (body: { email: string; password: string }, ip: string) => {
      const started = performance.now();
      const res = await client(h.app, ip).call('POST', '/api/v1/auth/login', body);
      return { res, ms: performance.now() - started };
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    let bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await timed({ email, password: 'wrong-password-123' }, `10.9.0.${i}`);
      const b = await timed({ email: uniqueEmail('ghost'), password: 'wrong-password-123' }, `10.9.1.${i}`);
      expect([a.res.statusCode, b.res.statusCode]).toEqual([401, 401]);
      bodies = [a.res.body, b.res.body];
      wrong.push(a.ms);
      unknown.push(b.ms);
    }
    expect(bodies[0]).toBe(bodies[1]);
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[2]!;
    // Both paths run one argon2 verification; without the dummy hash the unknown email would take ~0 ms.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.4);
    expect(median(unknown)).toBeLessThan(median(wrong) * 2.5);
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const email = uniqueEmail();
    await api.register({ email });
    expect((await api.login(` ${email.toUpperCase()}`)).statusCode).toBe(200);
  });

  it('throttles repeated failures on one account with 429 and Retry-After', async () => {
    const email = uniqueEmail();
    await api.register({ email });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await client(h.app, `10.8.0.${i}`).login(email, 'wrong-password-123');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Even the right password waits: a guesser cannot tell the throttle from the answer.
    expect((await client(h.app, '10.8.1.1').login(email)).statusCode).toBe(429);
  });
});

describe('profile', () => {
  it('changes the name, and the password only with the current one; a new password ends other sessions', async () => {
    const session = (await api.register()).json<SessionBody>();
    const patched = await api.call('PATCH', '/api/v1/me', { name: '  Ann   Other ' }, session.accessToken);
    expect(patched.json().name).toBe('Ann Other');
    const noCurrent = await api.call(
      'PATCH',
      '/api/v1/me',
      { password: 'amber-lighthouse-88' },
      session.accessToken,
    );
    expect(noCurrent.statusCode).toBe(400);
    const wrongCurrent = await api.call(
      'PATCH',
      '/api/v1/me',
      { password: 'amber-lighthouse-88', currentPassword: 'nope-nope-nope' },
      session.accessToken,
    );
    expect(wrongCurrent.statusCode).toBe(403);
    const changed = await api.call(
      'PATCH',
      '/api/v1/me',
      { password: 'amber-lighthouse-88', currentPassword: GOOD_PASSWORD },
      session.accessToken,
    );
    expect(changed.statusCode).toBe(200);
    expect((await api.refresh(session.refreshToken)).statusCode).toBe(401);
    expect((await api.login(session.user.email, 'amber-lighthouse-88')).statusCode).toBe(200);
  });

  it('keeps store details for sellers only', async () => {
    const customer = (await api.register()).json<SessionBody>();
    expect(
      (await api.call('PATCH', '/api/v1/me', { storeName: 'Mine' }, customer.accessToken)).statusCode,
    ).toBe(400);
    const seller = (
      await api.register({ role: 'seller', storeName: `Bolt Shop ${Date.now()}` })
    ).json<SessionBody>();
    const res = await api.call('PATCH', '/api/v1/me', { description: 'Bolts, nuts' }, seller.accessToken);
    expect(res.json().seller.description).toBe('Bolts, nuts');
  });
});

describe('address book', () => {
  it('adds, lists, changes and removes addresses; the first is the default', async () => {
    const { accessToken: token } = (await api.register()).json<SessionBody>();
    const first = await api.call('POST', '/api/v1/me/addresses', address, token);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ country: 'US', isDefault: true, postalCode: '12345' });
    const second = (
      await api.call(
        'POST',
        '/api/v1/me/addresses',
        { ...address, line1: '2 Side St', postalCode: '12345-6789' },
        token,
      )
    ).json();
    expect(second.isDefault).toBe(false);
    const patched = await api.call(
      'PATCH',
      `/api/v1/me/addresses/${second.id}`,
      { isDefault: true, city: 'Shelbyville' },
      token,
    );
    expect(patched.json()).toMatchObject({ isDefault: true, city: 'Shelbyville' });
    const list = (await api.call('GET', '/api/v1/me/addresses', undefined, token)).json().items;
    expect(list.map((a: { isDefault: boolean }) => a.isDefault)).toEqual([false, true]);
    expect(
      (await api.call('DELETE', `/api/v1/me/addresses/${first.json().id}`, undefined, token)).statusCode,
    ).toBe(204);
    expect((await api.call('GET', '/api/v1/me/addresses', undefined, token)).json().items).toHaveLength(1);
  });

  it('refuses invalid addresses field by field', async () => {
    const { accessToken: token } = (await api.register()).json<SessionBody>();
    const res = await api.call(
      'POST',
      '/api/v1/me/addresses',
      { ...address, country: 'XX', postalCode: 'ABCDE', city: '\u202Eevil' },
      token,
    );
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['city', 'country']);
    const badZip = await api.call('POST', '/api/v1/me/addresses', { ...address, postalCode: 'ABCDE' }, token);
    expect(badZip.json().errors).toEqual([
      { field: 'postalCode', message: 'is not a valid postal code for US' },
    ]);
  });

  it("never shows or changes another customer's address", async () => {
    const owner = (await api.register()).json<SessionBody>();
    const other = (await api.register()).json<SessionBody>();
    const { id } = (await api.call('POST', '/api/v1/me/addresses', address, owner.accessToken)).json();
    expect(
      (await api.call('GET', `/api/v1/me/addresses/${id}`, undefined, other.accessToken)).statusCode,
    ).toBe(404);
    expect(
      (await api.call('PATCH', `/api/v1/me/addresses/${id}`, { city: 'X-ville' }, other.accessToken))
        .statusCode,
    ).toBe(404);
    expect(
      (await api.call('DELETE', `/api/v1/me/addresses/${id}`, undefined, other.accessToken)).statusCode,
    ).toBe(404);
    expect(
      (await api.call('GET', `/api/v1/me/addresses/${id}`, undefined, owner.accessToken)).json().city,
    ).toBe('Springfield');
  });
});

describe('suspension', () => {
  it('stops a suspended user from logging in, refreshing or using a still-valid access token', async () => {
    const victim = (await api.register()).json<SessionBody>();
    const res = await api.call(
      'POST',
      `/api/v1/users/${victim.user.id}/suspend`,
      undefined,
      admin.accessToken,
    );
    expect(res.json()).toMatchObject({ id: victim.user.id, status: 'suspended' });
    expect((await api.login(victim.user.email)).statusCode).toBe(403);
    expect((await api.refresh(victim.refreshToken)).statusCode).toBe(401);
    expect((await api.me(victim.accessToken)).statusCode).toBe(401);
    await api.call('POST', `/api/v1/users/${victim.user.id}/unsuspend`, undefined, admin.accessToken);
    expect((await api.login(victim.user.email)).statusCode).toBe(200);
  });

  it('hides a suspended seller; only admins suspend, and the seller route wants a seller', async () => {
    const seller = (
      await api.register({ role: 'seller', storeName: `Shady ${Date.now()}` })
    ).json<SessionBody>();
    const customer = (await api.register()).json<SessionBody>();
    expect(
      (await api.call('POST', `/api/v1/sellers/${seller.user.id}/suspend`, undefined, customer.accessToken))
        .statusCode,
    ).toBe(403);
    expect(
      (await api.call('POST', `/api/v1/sellers/${customer.user.id}/suspend`, undefined, admin.accessToken))
        .statusCode,
    ).toBe(404);
    expect(
      (await api.call('POST', `/api/v1/sellers/${seller.user.id}/suspend`, undefined, admin.accessToken))
        .statusCode,
    ).toBe(200);
    expect((await api.call('GET', `/api/v1/sellers/${seller.user.id}`)).statusCode).toBe(404);
    expect(await h.api.getSellers([seller.user.id])).toEqual([]);
    expect((await h.api.getUsers([seller.user.id]))[0]?.status).toBe('suspended');
  });

  it('makes the first admin from ADMIN_EMAIL and ADMIN_PASSWORD', () => {
    expect(admin.user).toMatchObject({ role: 'admin', email: ADMIN_EMAIL });
  });
});

describe('UsersApi over HTTP', () => {
  it('gives other processes the same answers as the in-process API', async () => {
    const { UsersHttpClient } = await import('./client.ts');
    const seller = (
      await api.register({ role: 'seller', storeName: `Remote ${Date.now()}` })
    ).json<SessionBody>();
    const customer = (await api.register()).json<SessionBody>();
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const remote = new UsersHttpClient(base, { tokens: testServiceTokens });
    const ids = [seller.user.id, customer.user.id, 'not-a-uuid'];
    expect(await remote.getUsers(ids)).toEqual(await h.api.getUsers(ids));
    expect(await remote.getSellers(ids)).toEqual(await h.api.getSellers(ids));
    expect((await remote.getSellers(ids)).map((s) => s.id)).toEqual([seller.user.id]);
    expect(await remote.jwks()).toEqual(await h.api.jwks());
    expect(await remote.getContacts(ids)).toEqual(await h.api.getContacts(ids));
    expect((await remote.getContacts(ids)).map((c) => c.email).sort()).toEqual(
      [seller.user.email, customer.user.email].sort(),
    );
  });

  it('gives contacts to other services only, never to a caller without a service token', async () => {
    const customer = (await api.register()).json<SessionBody>();
    const asCustomer = await h.app.inject({
      method: 'POST',
      url: '/internal/users/contacts/batch',
      headers: { authorization: `Bearer ${customer.accessToken}` },
      payload: { ids: [customer.user.id] },
    });
    expect(asCustomer.statusCode).toBe(401);
    expect(asCustomer.body).not.toContain(customer.user.email);
  });
});
