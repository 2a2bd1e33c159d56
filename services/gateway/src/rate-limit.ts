import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';

export interface RateLimitOptions {
  perMinute: number;
  /** Shared counters across gateway processes; per-process memory otherwise. */
  redis?: Redis;
  /** DEPLOYMENT_NAME: another store on the same Redis must not spend this one's budget. */
  deploymentName: string;
}

/**
 * Counts per user when the caller is authenticated, per IP otherwise. Runs on each route's `onRequest`,
 * which follows the app-wide auth hook, so the user is known and a forged token is refused before it can
 * spend anyone's budget; and it precedes the response cache (`preHandler`), so a cache hit still counts.
 */
export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: options.perMinute,
    timeWindow: 60_000,
    ...(options.redis ? { redis: options.redis, nameSpace: `${options.deploymentName}:ratelimit:` } : {}),
    skipOnError: true,
    keyGenerator: (request: FastifyRequest) =>
      request.user ? `user:${request.user.id}` : `ip:${request.ip}`,
    allowList: (request: FastifyRequest) => request.routeOptions.config.rateLimit === false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      limitExceeded: true,
      detail: `Rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
}
