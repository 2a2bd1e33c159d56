import type {} from '@fastify/swagger';
/**
 * Who may call a route. The gateway enforces it before the handler runs; services check ownership again
 * in their own logic (a seller's product, a customer's order).
 */
export type RouteAccess = 'public' | 'authenticated' | 'customer' | 'seller' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAccess;
    /** Public GET responses the gateway may cache, with their TTL in seconds. */
    publicCacheSeconds?: number;
    rateLimit?: boolean;
    /** Set by mountService on `/internal/<name>` routes: only a service token for that name gets in. */
    internalOf?: string;
  }
}
