import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Cache } from '@emporium/platform';
import { registerOpenApi } from './openapi.ts';
export { describeRoutes, serveOwnDescription, OPENAPI_PATH } from './openapi.ts';
import { registerRateLimit } from './rate-limit.ts';
import { registerResponseCache, type ResponseCache } from './response-cache.ts';
import { registerRemoteRoutes, type RemoteService } from './routing.ts';

export type { ResponseCache } from './response-cache.ts';
export type { RemoteService } from './routing.ts';

export interface GatewayOptions {
  cache: Cache;
  metrics: Registry;
  rateLimitPerMinute: number;
  redis?: Redis;
  /** DEPLOYMENT_NAME: prefixes the shared rate-limit counters. */
  deploymentName: string;
  /** Services that run in other processes: their public paths are forwarded. */
  remoteServices: RemoteService[];
}

/**
 * The single public entry: OpenAPI and docs, rate limits, the public response cache and forwarding to
 * remote services. Token verification is the platform's auth hook, which every process runs, so services
 * enforce access again behind the gateway.
 */
export async function registerGateway(app: FastifyInstance, options: GatewayOptions): Promise<ResponseCache> {
  await registerOpenApi(
    app,
    options.remoteServices.map((s) => s.url),
  );
  await registerRateLimit(app, {
    perMinute: options.rateLimitPerMinute,
    redis: options.redis,
    deploymentName: options.deploymentName,
  });
  const responseCache = registerResponseCache(app, options.cache, options.metrics);
  await registerRemoteRoutes(app, options.remoteServices);
  return responseCache;
}
