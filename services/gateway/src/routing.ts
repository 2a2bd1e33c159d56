import replyFrom from '@fastify/reply-from';
import type { FastifyInstance } from 'fastify';

/** A service in another process, as the gateway forwards to it. */
export interface RemoteService {
  name: string;
  /** Base URL of its public listener. */
  url: string;
  /** Its paths under /api/v1 (each with everything below it). */
  publicPaths: string[];
  /** Paths outside /api/v1 it answers as they are, e.g. the key set of access tokens. */
  rootPaths?: string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Forwards the public paths of each remote service, headers (token, request id) included. */
export async function registerRemoteRoutes(app: FastifyInstance, remote: RemoteService[]): Promise<void> {
  if (remote.length === 0) return;
  await app.register(replyFrom, { http: { requestOptions: { timeout: 10_000 } } });
  for (const service of remote) {
    const urls = [
      ...service.publicPaths.flatMap((path) => [`/api/v1${path}`, `/api/v1${path}/*`]),
      ...(service.rootPaths ?? []),
    ];
    for (const url of urls) {
      app.route({
        method: [...METHODS],
        url,
        schema: { hide: true },
        config: { auth: 'public' },
        handler: (request, reply) => reply.from(service.url + request.url),
      });
    }
  }
}
