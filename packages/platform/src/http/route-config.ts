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
    /**
     * Error statuses this route answers beyond the ones its shape implies (400, 401/403, 404, 429, 5xx),
     * e.g. 409, 422 or 402: the API description lists them.
     */
    problems?: number[];
    /**
     * The request body as the API description shows it, for a body no JSON schema validates (raw
     * images, streamed imports): content type to schema and example.
     */
    describedBody?: { description?: string; content: Record<string, { schema: object; example?: string }> };
    /** Set by mountService on `/internal/<name>` routes: only a service token for that name gets in. */
    internalOf?: string;
  }
}
