import replyFrom from '@fastify/reply-from';
import type { FastifyInstance } from 'fastify';
import type { ServiceName } from '@emporium/platform';

/**
 * Which service answers which public path under /api/v1. The gateway forwards these paths to a service
 * that runs in another process; in-process services mount their routes directly.
 */
export const publicPathsOf: Record<ServiceName, string[]> = {
  gateway: [],
  users: ['/auth', '/me', '/users', '/sellers'],
  catalog: ['/categories', '/products', '/seller/products', '/images'],
  search: ['/search'],
  cart: ['/cart'],
  orders: ['/orders', '/seller/orders'],
  payments: ['/webhooks/payments'],
  inventory: ['/seller/inventory'],
  recommendations: ['/recommendations', '/events'],
  shipping: ['/webhooks/shipping', '/shipments'],
  analytics: [],
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Forwards the public paths of each remote service, headers (token, request id) included. */
export async function registerRemoteRoutes(
  app: FastifyInstance,
  remote: Partial<Record<ServiceName, string>>,
): Promise<void> {
  const targets = Object.entries(remote) as [ServiceName, string][];
  if (targets.length === 0) return;
  await app.register(replyFrom, { http: { requestOptions: { timeout: 10_000 } } });
  for (const [service, baseUrl] of targets) {
    for (const path of publicPathsOf[service]) {
      for (const url of [`/api/v1${path}`, `/api/v1${path}/*`]) {
        app.route({
          method: [...METHODS],
          url,
          schema: { hide: true },
          config: { auth: 'public' },
          handler: (request, reply) => reply.from(baseUrl + request.url),
        });
      }
    }
  }
}
