import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
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
  return {
    async verify(token: string): Promise<AuthUser> {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: ACCESS_TOKEN.issuer,
          audience: ACCESS_TOKEN.audience,
          algorithms: [...ACCESS_TOKEN.algorithms],
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const role = payload.role;
        if (
          typeof payload.sub !== 'string' ||
          (role !== 'customer' && role !== 'seller' && role !== 'admin')
        ) {
          throw new Error('claims');
        }
        return { id: payload.sub, role };
      } catch {
        throw unauthorized('The access token is invalid or has expired');
      }
    },
  };
}
