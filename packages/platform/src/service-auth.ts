import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthUser, Role } from './auth.ts';
import type { Config } from './config/config.ts';
import { unauthorized } from './errors.ts';

/**
 * Service tokens: HS256 JWTs signed with the deployment's SERVICE_KEY, one audience per target service,
 * valid for a minute. They prove that a call to `/internal/*` comes from a process of this deployment;
 * a customer's access token, a token for another service or one signed with another key is refused.
 */
export const SERVICE_TOKEN = {
  issuer: 'emporium-services',
  algorithm: 'HS256',
  ttlSeconds: 60,
  /** A cached token is replaced this long before it expires, so clock skew never makes it arrive stale. */
  renewBeforeSeconds: 20,
  minimumKeyLength: 32,
} as const;

/** Who called an internal route, as the verified service token says. */
export interface ServiceCaller {
  /** The services of the calling process. */
  services: string[];
  /** The user on whose behalf the call is made, when the calling service acts for one. */
  actor?: AuthUser;
}

const audienceOf = (service: string) => `emporium-internal:${service}`;
const ROLES: readonly Role[] = ['customer', 'seller', 'admin'];

export class ServiceTokens {
  private readonly key: Uint8Array;
  private readonly issued = new LRUCache<string, { token: string; renewAt: number }>({ max: 1_000 });

  constructor(
    key: string,
    private readonly callerServices: readonly string[],
  ) {
    // Hashing gives a full-entropy 256-bit HMAC key from a passphrase or a hex string alike.
    this.key = createHash('sha256').update(key).digest();
  }

  /** The token for one call to `service`, reused until shortly before it expires. */
  async issue(service: string, actor?: AuthUser): Promise<string> {
    const cacheKey = `${service}|${actor?.id ?? ''}|${actor?.role ?? ''}`;
    const hit = this.issued.get(cacheKey);
    if (hit && hit.renewAt > Date.now()) return hit.token;
    const token = await new SignJWT({
      svc: [...this.callerServices],
      ...(actor ? { act: { sub: actor.id, role: actor.role } } : {}),
    })
      .setProtectedHeader({ alg: SERVICE_TOKEN.algorithm })
      .setIssuer(SERVICE_TOKEN.issuer)
      .setAudience(audienceOf(service))
      .setIssuedAt()
      .setExpirationTime(`${SERVICE_TOKEN.ttlSeconds}s`)
      .sign(this.key);
    const renewAt = Date.now() + (SERVICE_TOKEN.ttlSeconds - SERVICE_TOKEN.renewBeforeSeconds) * 1000;
    this.issued.set(cacheKey, { token, renewAt });
    return token;
  }

  /** The caller of an internal route of `service`; 401 for anything but a valid token for it. */
  async verify(token: string, service: string): Promise<ServiceCaller> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: SERVICE_TOKEN.issuer,
        audience: audienceOf(service),
        algorithms: [SERVICE_TOKEN.algorithm],
        requiredClaims: ['exp', 'iat', 'svc'],
        maxTokenAge: `${SERVICE_TOKEN.ttlSeconds + 5}s`,
      });
      // A long-lived token would outlast a key rotation's grace; none is ever issued, so none is accepted.
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > SERVICE_TOKEN.ttlSeconds) throw new Error('lifetime');
      return { services: servicesClaim(payload.svc), ...actorClaim(payload.act) };
    } catch {
      throw unauthorized(`This route is for Emporium services only (a valid service token for ${service})`);
    }
  }
}

/** The process's service tokens, or undefined where no SERVICE_KEY is configured (a single process). */
export function serviceTokensFromConfig(config: Pick<Config, 'serviceKey' | 'services'>) {
  if (!config.serviceKey) return undefined;
  return new ServiceTokens(config.serviceKey, config.services === 'all' ? ['all'] : config.services);
}

function servicesClaim(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) throw new Error('svc');
  return value as string[];
}

function actorClaim(value: unknown): { actor?: AuthUser } {
  if (value === undefined) return {};
  const act = value as { sub?: unknown; role?: unknown };
  if (typeof act.sub !== 'string' || !ROLES.includes(act.role as Role)) throw new Error('act');
  return { actor: { id: act.sub, role: act.role as Role } };
}
