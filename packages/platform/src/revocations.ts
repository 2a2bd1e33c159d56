import { ACCESS_TOKEN, type AccessTokenVerifier, type AuthUser } from './auth.ts';
import type { Cache } from './cache/cache.ts';
import { unauthorized } from './errors.ts';

/** An account's access turned off (suspended) or on again (reinstated), as of `at` (ISO time). */
export interface AccountStatusChange {
  userId: string;
  revoked: boolean;
  at: string;
}

interface Entry {
  revoked: boolean;
  at: number;
}

const KEY_PREFIX = 'revoked-account:';
// Every access token issued before a suspension has expired by then (15 minutes, plus clock skew between
// processes), and a suspended account is issued no new one (login refuses it, refresh tokens are revoked).
const ENTRY_TTL_SECONDS = ACCESS_TOKEN.ttlSeconds + 120;

/**
 * Accounts whose unexpired access tokens must be refused (ADR 0509). Held in a cache shared by every
 * process when that is Redis, fed in-process by the users service after its commit and elsewhere by its
 * events; a change older than the one recorded is ignored, so a late event cannot undo a newer change.
 */
export class AccountRevocations {
  constructor(private readonly cache: Cache) {}

  async record(change: AccountStatusChange): Promise<void> {
    const at = Date.parse(change.at);
    const key = KEY_PREFIX + change.userId;
    const current = await this.cache.get<Entry>(key);
    if (current && current.at > at) return;
    await this.cache.set<Entry>(key, { revoked: change.revoked, at }, ENTRY_TTL_SECONDS);
  }

  async isRevoked(userId: string): Promise<boolean> {
    return (await this.cache.get<Entry>(KEY_PREFIX + userId))?.revoked === true;
  }
}

/**
 * A verifier that also refuses revoked accounts. The signature check may be cached (it is, for up to a
 * minute); the revocation check is made on every call, so a suspension counts from the next request.
 */
export function revocableVerifier(
  verifier: AccessTokenVerifier,
  revocations: AccountRevocations,
): AccessTokenVerifier {
  return {
    async verify(token: string): Promise<AuthUser> {
      const user = await verifier.verify(token);
      if (await revocations.isRevoked(user.id))
        throw unauthorized('This account is suspended or no longer exists');
      return user;
    },
  };
}
