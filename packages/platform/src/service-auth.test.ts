import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SERVICE_TOKEN, ServiceTokens } from './service-auth.ts';

const key = randomBytes(32).toString('hex');
const tokens = new ServiceTokens(key, ['orders']);

/** A token signed with the right key but claims of our choosing, as a thief of the key format would try. */
function handMade(claims: Record<string, unknown>, expiresIn: string, issuedAt?: number) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(SERVICE_TOKEN.issuer)
    .setAudience('emporium-internal:inventory')
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresIn);
  return jwt.sign(createHash('sha256').update(key).digest());
}

describe('service tokens', () => {
  it('carry the calling services and the acting user', async () => {
    const token = await tokens.issue('inventory', { id: 'u1', role: 'seller' });
    expect(await tokens.verify(token, 'inventory')).toEqual({
      services: ['orders'],
      actor: { id: 'u1', role: 'seller' },
    });
    expect(await tokens.verify(await tokens.issue('inventory'), 'inventory')).toEqual({
      services: ['orders'],
    });
  });

  it('are reused for the same audience and actor, distinct otherwise', async () => {
    const first = await tokens.issue('cart');
    expect(await tokens.issue('cart')).toBe(first);
    expect(await tokens.issue('cart', { id: 'u2', role: 'customer' })).not.toBe(first);
  });

  it('refuse another audience, a tampered or expired token, another key and a bad actor claim', async () => {
    const token = await tokens.issue('inventory');
    await expect(tokens.verify(token, 'payments')).rejects.toThrow(/service token/);
    await expect(tokens.verify(`${token.slice(0, -3)}abc`, 'inventory')).rejects.toThrow();
    const now = Math.floor(Date.now() / 1000);
    await expect(
      tokens.verify(await handMade({ svc: ['x'] }, `${now - 10}s`, now - 100), 'inventory'),
    ).rejects.toThrow();
    await expect(tokens.verify(await handMade({ svc: ['x'] }, '1h'), 'inventory')).rejects.toThrow();
    await expect(
      tokens.verify(await handMade({ svc: ['x'], act: { sub: 'u', role: 'root' } }, '30s'), 'inventory'),
    ).rejects.toThrow();
    const stranger = new ServiceTokens(randomBytes(32).toString('hex'), ['orders']);
    await expect(tokens.verify(await stranger.issue('inventory'), 'inventory')).rejects.toThrow();
  });
});
