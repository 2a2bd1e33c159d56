import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from './cache/cache.ts';
import { AccountRevocations, revocableVerifier } from './revocations.ts';
import { testCache, testTokens, uniqueName } from './testing.ts';

describe('account revocations', () => {
  let cache: Cache;
  let revocations: AccountRevocations;
  beforeAll(async () => {
    cache = await testCache();
    revocations = new AccountRevocations(cache);
  });
  afterAll(async () => {
    await cache.deletePrefix('');
    await cache.close();
  });

  it('refuses a revoked account on the next call, although its signature check is cached', async () => {
    const tokens = await testTokens();
    const verifier = revocableVerifier(tokens.verifier, revocations);
    const user = { id: uniqueName('user'), role: 'customer' as const };
    const token = await tokens.tokenFor(user);
    expect(await verifier.verify(token)).toEqual(user);
    await revocations.record({ userId: user.id, revoked: true, at: new Date().toISOString() });
    await expect(verifier.verify(token)).rejects.toMatchObject({ kind: 'Unauthorized' });
    await revocations.record({ userId: user.id, revoked: false, at: new Date(Date.now() + 1).toISOString() });
    expect(await verifier.verify(token)).toEqual(user);
  });

  it('ignores a change older than the one it holds, so a late event cannot undo a suspension', async () => {
    const userId = uniqueName('user');
    await revocations.record({ userId, revoked: true, at: '2030-01-01T00:00:02.000Z' });
    await revocations.record({ userId, revoked: false, at: '2030-01-01T00:00:01.000Z' });
    expect(await revocations.isRevoked(userId)).toBe(true);
  });
});
