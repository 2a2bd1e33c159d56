import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { ACCESS_TOKEN, newId, type AuthUser } from '@emporium/platform';
import type { SigningKeyRow, UsersStore } from './store.ts';

/**
 * How long a process keeps its view of the keys. After a rotation elsewhere, a process may sign with the
 * retired key for up to this long, so the retired key stays published for the token lifetime plus this
 * plus the clock skew allowance (ADR 0501).
 */
export const KEY_CACHE_MS = 30_000;
const CLOCK_SKEW_MS = 60_000;
const JWKS_MAX_AGE_MS = 2_000;
export const RETIRED_KEY_RETENTION_MS = ACCESS_TOKEN.ttlSeconds * 1000 + KEY_CACHE_MS + CLOCK_SKEW_MS;

interface KeyView {
  loadedAt: number;
  signer: { kid: string; key: CryptoKey } | undefined;
  jwks: JSONWebKeySet;
}

const publishedJwk = (row: SigningKeyRow) => ({ ...row.public_jwk, kid: row.kid, alg: 'EdDSA', use: 'sig' });

/**
 * The access-token signing keys, stored in the users schema. The newest unretired key signs; retired keys
 * stay in the JWKS until no token they signed can still be valid, so a rotation logs nobody out.
 */
export class KeyRing {
  private view: Promise<KeyView> | undefined;

  constructor(
    private readonly store: UsersStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Creates the first key when there is none (safe when two processes start at once: both keys work). */
  async ensureKey(): Promise<void> {
    const view = await this.load(0);
    if (!view.signer) await this.rotate();
  }

  async rotate(): Promise<{ kid: string }> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `${new Date(this.clock()).toISOString().slice(0, 10)}-${newId().slice(-12)}`;
    const [public_jwk, private_jwk] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.insertSigningKey(trx, { kid, public_jwk, private_jwk });
      await this.store.retireSigningKeysExcept(trx, kid);
    });
    await this.store.deleteSigningKeysRetiredBefore(new Date(this.clock() - RETIRED_KEY_RETENTION_MS));
    this.view = undefined;
    return { kid };
  }

  /**
   * Read again when older than 2 s: the verifier asks for the JWKS when a token names a kid it does not
   * know, which is how a key made by another process shows up; the floor bounds what random kids cost.
   */
  async jwks(): Promise<JSONWebKeySet> {
    return (await this.load(JWKS_MAX_AGE_MS)).jwks;
  }

  async sign(user: AuthUser): Promise<string> {
    let { signer } = await this.load();
    signer ??= (await this.load(0)).signer;
    if (!signer) throw new Error('no signing key: KeyRing.ensureKey() was not called');
    return new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt()
      .setJti(newId())
      .setExpirationTime(Math.floor(this.clock() / 1000) + ACCESS_TOKEN.ttlSeconds)
      .sign(signer.key);
  }

  private async load(maxAgeMs = KEY_CACHE_MS): Promise<KeyView> {
    const current = this.view ? await this.view.catch(() => undefined) : undefined;
    if (current && this.clock() - current.loadedAt <= maxAgeMs) return current;
    const loading = this.read();
    this.view = loading;
    // A failed read must not stick: the next call tries again.
    loading.catch(() => {
      if (this.view === loading) this.view = undefined;
    });
    return loading;
  }

  private async read(): Promise<KeyView> {
    const now = this.clock();
    const rows = await this.store.signingKeys();
    const live = rows.filter(
      (r) => !r.retired_at || now - new Date(r.retired_at).getTime() < RETIRED_KEY_RETENTION_MS,
    );
    const active = rows.find((r) => !r.retired_at);
    const signer = active
      ? { kid: active.kid, key: (await importJWK(active.private_jwk, 'EdDSA')) as CryptoKey }
      : undefined;
    return { loadedAt: now, signer, jwks: { keys: live.map(publishedJwk) } };
  }
}
