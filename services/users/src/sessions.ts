import { createHash, randomBytes } from 'node:crypto';
import { ACCESS_TOKEN, AppError, newId, unauthorized, validation, type AuthUser } from '@emporium/platform';
import type { Logger } from 'pino';
import type { KeyRing } from './keys.ts';
import { toMe } from './mappers.ts';
import { normaliseEmail } from './email.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Db, UsersStore } from './store.ts';
import type { LoginThrottle } from './throttle.ts';
import type { Session } from './types.ts';

/** Refresh tokens live 30 days from their issue; each use replaces the token (ADR 0501). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

const INVALID_CREDENTIALS = 'The email or password is incorrect';
const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');
// 256 random bits; base64url without padding is always 43 characters.
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionDeps {
  store: UsersStore;
  keys: KeyRing;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  logger: Logger;
}

/** Login, refresh with rotation and reuse detection, logout. */
export class Sessions {
  constructor(private readonly deps: SessionDeps) {}

  /** Issues an access token and a refresh token; `familyId` continues a session, else one starts. */
  async issue(db: Db, user: AuthUser, familyId?: string): Promise<Omit<Session, 'user'>> {
    const refreshToken = await this.newRefreshToken(db, user.id, familyId);
    return this.withAccessToken(user, refreshToken);
  }

  /** Inside a transaction, only the row is written: signing may read keys, which must not use the pool. */
  async newRefreshToken(db: Db, userId: string, familyId: string = newId()): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.deps.store.insertRefreshToken(db, {
      id: newId(),
      token_hash: hashRefreshToken(refreshToken),
      family_id: familyId,
      user_id: userId,
      expires_at: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
    });
    return refreshToken;
  }

  async withAccessToken(user: AuthUser, refreshToken: string): Promise<Omit<Session, 'user'>> {
    const accessToken = await this.deps.keys.sign(user);
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN.ttlSeconds };
  }

  /**
   * Same status, body and (about the same) time whether the email is unknown or the password wrong: an
   * unknown email still costs one argon2 verification, against a dummy hash.
   */
  async login(email: string, password: string, ip: string): Promise<Session> {
    const { store, hasher, throttle } = this.deps;
    const normalised = normaliseEmail(email);
    const emailKey = normalised.ok ? normalised.key : email.toLowerCase();
    await throttle.book(emailKey, ip);
    const user = normalised.ok ? await store.userByEmailKey(normalised.key) : undefined;
    const valid = user
      ? await hasher.verify(user.password_hash, password)
      : await hasher.verifyAgainstDummy(password);
    if (!user || !valid) throw unauthorized(INVALID_CREDENTIALS);
    await throttle.succeeded(emailKey, ip);
    // Only someone who knows the password learns that the account is suspended.
    if (user.status !== 'active') throw new AppError('Forbidden', 'This account is suspended');
    if (hasher.needsRehash(user.password_hash)) {
      await store.updateUser(store.db, user.id, { password_hash: await hasher.hash(password) });
    }
    const seller = user.role === 'seller' ? await store.sellerById(user.id) : undefined;
    const tokens = await this.issue(store.db, { id: user.id, role: user.role });
    return { user: toMe(user, seller), ...tokens };
  }

  /**
   * Spends the token and issues the next one of its family, in one transaction. A token that was already
   * spent means two parties hold it (one of them a thief): the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const { store, logger } = this.deps;
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) throw unauthorized(INVALID_REFRESH);
    const hash = hashRefreshToken(refreshToken);
    const outcome = await store.db.transaction().execute(async (trx) => {
      const row = await store.refreshTokenByHash(hash, trx);
      if (!row || row.revoked_at || new Date(row.expires_at).getTime() <= Date.now()) return 'invalid';
      const spent = await store.markRefreshTokenUsed(trx, row.id);
      if (!spent) {
        await store.revokeFamily(trx, row.family_id);
        return 'reused';
      }
      const user = await store.userById(row.user_id, trx);
      if (!user || user.status !== 'active') {
        await store.revokeFamily(trx, row.family_id);
        return 'invalid';
      }
      const seller = user.role === 'seller' ? await store.sellerById(user.id, trx) : undefined;
      const next = await this.newRefreshToken(trx, user.id, row.family_id);
      return { me: toMe(user, seller), auth: { id: user.id, role: user.role }, next };
    });
    if (outcome === 'reused') {
      logger.warn(
        { event: 'refresh_token_reuse' },
        'a spent refresh token was presented; its family is revoked',
      );
    }
    if (typeof outcome === 'string') throw unauthorized(INVALID_REFRESH);
    return { user: outcome.me, ...(await this.withAccessToken(outcome.auth, outcome.next)) };
  }

  /** Ends the session the token belongs to. Unknown tokens are accepted silently: logout is idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const { store } = this.deps;
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken))
      throw validation('refreshToken is malformed', [
        { field: 'refreshToken', message: 'is not a refresh token' },
      ]);
    const row = await store.refreshTokenByHash(hashRefreshToken(refreshToken));
    if (row) await store.revokeFamily(store.db, row.family_id);
  }
}
