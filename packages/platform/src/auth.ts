import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthorized } from './errors.ts';

export type Role = 'customer' | 'seller' | 'admin';

/** Who is calling, as proven by a verified access token. */
export interface AuthUser {
  id: string;
  role: Role;
}

/** Access tokens: EdDSA JWTs with a `kid`, issued by the users service, valid for 15 minutes. */
export const ACCESS_TOKEN = {
  issuer: 'emporium-users',
  audience: 'emporium-api',
  algorithms: ['EdDSA'],
  ttlSeconds: 15 * 60,
  jwksPath: '/.well-known/jwks.json',
} as const;

export interface AccessTokenVerifier {
  verify(token: string): Promise<AuthUser>;
}

/** Where the users service's public keys come from: in-process, or its JWKS URL (fetched and cached). */
export type KeySource = { jwks: () => Promise<JSONWebKeySet> } | { url: string };

export function createAccessTokenVerifier(source: KeySource): AccessTokenVerifier {
  let getKey: JWTVerifyGetKey;
  if ('url' in source) {
    getKey = createRemoteJWKSet(new URL(source.url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 5_000 });
  } else {
    // Keys are re-read when a token names an unknown kid, so a rotation is picked up without a restart.
    let local: { set: JWTVerifyGetKey; kids: Set<string> } | undefined;
    const refresh = async () => {
      const jwks = await source.jwks();
      local = { set: createLocalJWKSet(jwks), kids: new Set(jwks.keys.map((k) => k.kid ?? '')) };
      return local;
    };
    getKey = async (header, token) => {
      const keys = local && local.kids.has(header.kid ?? '') ? local : await refresh();
      return keys.set(header, token);
    };
  }
  return cachedVerifier(async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
        algorithms: [...ACCESS_TOKEN.algorithms],
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'customer' && role !== 'seller' && role !== 'admin')) {
        throw new Error('claims');
      }
      return { user: { id: payload.sub, role }, expiresAt: (payload.exp ?? 0) * 1000 };
    } catch {
      throw unauthorized('The access token is invalid or has expired');
    }
  });
}

/**
 * Remembers verified tokens until they expire (at most a minute): a client sends the same token for
 * 15 minutes, and an EdDSA verification costs more than the rest of a cached request. Only successful
 * verifications are kept, keyed by the whole token, so a tampered token never matches.
 */
function cachedVerifier(
  verify: (token: string) => Promise<{ user: AuthUser; expiresAt: number }>,
): AccessTokenVerifier {
  const verified = new LRUCache<string, { user: AuthUser; expiresAt: number }>({ max: 10_000, ttl: 60_000 });
  return {
    async verify(token: string): Promise<AuthUser> {
      const hit = verified.get(token);
      if (hit && hit.expiresAt > Date.now()) return hit.user;
      const result = await verify(token);
      verified.set(token, result, { ttl: Math.max(1, Math.min(60_000, result.expiresAt - Date.now())) });
      return result.user;
    },
  };
}
