import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, importJWK, SignJWT, type CryptoKey } from 'jose';
import { ACCESS_TOKEN } from '@emporium/platform';
import { KeyRing, RETIRED_KEY_RETENTION_MS } from './keys.ts';
import { hashRefreshToken } from './sessions.ts';
import { uniqueEmail, usersHarness, type UsersHarness } from './testing/harness.ts';
import { client, type SessionBody } from './testing/requests.ts';

const ADMIN_EMAIL = uniqueEmail('admin');
const ADMIN_PASSWORD = 'granite-meadow-31-falcon';
let h: UsersHarness;
let api: ReturnType<typeof client>;
let victim: SessionBody;
let signingKey: { kid: string; key: CryptoKey };

beforeAll(async () => {
  h = await usersHarness({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });
  api = client(h.app);
  victim = (await api.register({ name: 'Victor Target' })).json();
  const kid = JSON.parse(Buffer.from(victim.accessToken.split('.')[0]!, 'base64url').toString())
    .kid as string;
  const row = (await h.users.store.signingKeys()).find((k) => k.kid === kid)!;
  signingKey = { kid, key: (await importJWK(row.private_jwk, 'EdDSA')) as CryptoKey };
});
afterAll(() => h.close());

type Claims = { sub?: string; role?: string; iss?: string; aud?: string; exp?: number; iat?: number };
const now = () => Math.floor(Date.now() / 1000);
function forge(claims: Claims = {}, header: { kid?: string } = {}, key = signingKey.key) {
  const payload = {
    role: 'customer',
    sub: victim.user.id,
    iss: ACCESS_TOKEN.issuer,
    aud: ACCESS_TOKEN.audience,
    iat: now(),
    exp: now() + 600,
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid, ...header }).sign(key);
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every refused token must also change nothing: the PATCH must not rename the victim. */
async function expectRefusedWithoutEffect(token: string) {
  const read = await api.me(token);
  expect(read.statusCode).toBe(401);
  expect(read.headers['content-type']).toMatch(/application\/problem\+json/);
  const write = await api.call('PATCH', '/api/v1/me', { name: 'Hacked' }, token);
  expect(write.statusCode).toBe(401);
  expect((await api.me(victim.accessToken)).json().name).toBe('Victor Target');
}

describe('access tokens', () => {
  it('accepts a genuine token (the control for the cases below)', async () => {
    expect((await api.me(await forge())).statusCode).toBe(200);
  });

  it('refuses an expired token', async () => {
    await expectRefusedWithoutEffect(await forge({ iat: now() - 3600, exp: now() - 1800 }));
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [header, payload, signature] = victim.accessToken.split('.') as [string, string, string];
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await expectRefusedWithoutEffect(`${header}.${payload}.${flipped}`);
  });

  it('refuses a token whose claims were changed after signing (role escalation)', async () => {
    const [header, , signature] = victim.accessToken.split('.') as [string, string, string];
    const payload = b64({
      sub: victim.user.id,
      role: 'admin',
      iss: ACCESS_TOKEN.issuer,
      aud: ACCESS_TOKEN.audience,
      iat: now(),
      exp: now() + 600,
    });
    await expectRefusedWithoutEffect(`${header}.${payload}.${signature}`);
  });

  it('refuses alg "none"', async () => {
    const payload = b64({
      sub: victim.user.id,
      role: 'customer',
      iss: ACCESS_TOKEN.issuer,
      aud: ACCESS_TOKEN.audience,
      iat: now(),
      exp: now() + 600,
    });
    await expectRefusedWithoutEffect(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
  });

  it('refuses an unknown key id, and a foreign key claiming a known key id', async () => {
    await expectRefusedWithoutEffect(await forge({}, { kid: 'no-such-key' }));
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    await expectRefusedWithoutEffect(await forge({}, {}, privateKey));
  });

  it('refuses a wrong audience or issuer', async () => {
    await expectRefusedWithoutEffect(await forge({ aud: 'some-other-api' }));
    await expectRefusedWithoutEffect(await forge({ iss: 'someone-else' }));
  });

  it('refuses a header that is not "Bearer <token>"', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Basic ${victim.accessToken}` },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('refresh tokens', () => {
  const tokenRows = (familyOf: string) =>
    h.users.store
      .refreshTokenByHash(hashRefreshToken(familyOf))
      .then((row) =>
        h.users.store.db
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('family_id', '=', row!.family_id)
          .execute(),
      );

  it('are stored only as SHA-256 hashes', async () => {
    const { refreshToken, user } = (await api.register()).json<SessionBody>();
    const rows = await h.users.store.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashRefreshToken(refreshToken));
    expect(JSON.stringify(rows)).not.toContain(refreshToken);
  });

  it('rotate on every use: the old token stops working', async () => {
    const first = (await api.register()).json<SessionBody>();
    const second = await api.refresh(first.refreshToken);
    expect(second.statusCode).toBe(200);
    const pair = second.json<SessionBody>();
    expect(pair.refreshToken).not.toBe(first.refreshToken);
    expect((await api.me(pair.accessToken)).statusCode).toBe(200);
    expect((await api.refresh(pair.refreshToken)).statusCode).toBe(200);
  });

  it('revoke the whole family when a rotated token is reused, and leave other sessions alone', async () => {
    const login = (await api.register()).json<SessionBody>();
    const otherSession = (await api.login(login.user.email)).json<SessionBody>();
    const rotated = (await api.refresh(login.refreshToken)).json<SessionBody>();
    const reuse = await api.refresh(login.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.headers['content-type']).toMatch(/problem\+json/);
    expect((await api.refresh(rotated.refreshToken)).statusCode).toBe(401);
    expect((await tokenRows(login.refreshToken)).every((r) => r.revoked_at !== null)).toBe(true);
    expect((await api.refresh(otherSession.refreshToken)).statusCode).toBe(200);
  });

  it('refuses an expired, unknown or malformed token without touching anything', async () => {
    const session = (await api.register()).json<SessionBody>();
    await h.users.store.db
      .updateTable('refresh_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', hashRefreshToken(session.refreshToken))
      .execute();
    const before = await tokenRows(session.refreshToken);
    expect((await api.refresh(session.refreshToken)).statusCode).toBe(401);
    expect(await tokenRows(session.refreshToken)).toEqual(before);
    expect((await api.refresh('A'.repeat(43))).statusCode).toBe(401);
    expect((await api.refresh('not-a-token')).statusCode).toBe(401);
  });

  it('stop working after logout, and logout is idempotent', async () => {
    const session = (await api.register()).json<SessionBody>();
    expect((await api.logout(session.refreshToken)).statusCode).toBe(204);
    expect((await api.logout(session.refreshToken)).statusCode).toBe(204);
    expect((await api.refresh(session.refreshToken)).statusCode).toBe(401);
  });

  it('let exactly one of two concurrent refreshes with the same token win', async () => {
    const session = (await api.register()).json<SessionBody>();
    const results = await Promise.all([api.refresh(session.refreshToken), api.refresh(session.refreshToken)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });
});

describe('key rotation', () => {
  it('signs new tokens with the new key and keeps old tokens valid', async () => {
    const admin = (await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)).json<SessionBody>();
    const before = (await api.register()).json<SessionBody>();
    const rotated = await api.call('POST', '/api/v1/auth/keys/rotate', undefined, admin.accessToken);
    expect(rotated.statusCode).toBe(200);
    const { kid } = rotated.json<{ kid: string }>();
    const after = (await api.refresh(before.refreshToken)).json<SessionBody>();
    const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid;
    expect(kidOf(after.accessToken)).toBe(kid);
    expect((await api.me(before.accessToken)).statusCode).toBe(200);
    expect((await api.me(after.accessToken)).statusCode).toBe(200);
    const jwks = (await h.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: { kid: string }[];
    }>();
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, kidOf(before.accessToken)]));
    expect(
      (await api.call('POST', '/api/v1/auth/keys/rotate', undefined, before.accessToken)).statusCode,
    ).toBe(403);
  });

  it('drops a retired key from the JWKS once no token it signed can be valid', async () => {
    let clock = Date.now();
    const ring = new KeyRing(h.users.store, () => clock);
    const { kid: old } = await ring.rotate();
    const { kid: fresh } = await ring.rotate();
    clock += RETIRED_KEY_RETENTION_MS - 5_000;
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([old, fresh]));
    clock += 10_000;
    const kids = (await ring.jwks()).keys.map((k) => k.kid);
    expect(kids).toContain(fresh);
    expect(kids).not.toContain(old);
  });
});
