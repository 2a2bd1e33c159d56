import type { IncomingHttpHeaders } from 'node:http';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@emporium/platform';

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

/**
 * The service behind trusts the gateway's hop (TRUSTED_PROXIES) and takes the client from this header,
 * so it names only the address the gateway itself resolved: whatever the client wrote there is dropped.
 */
function withClientAddress(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return { ...headers, 'x-forwarded-for': request.ip };
}

interface ForwardError {
  statusCode?: number;
  code?: string;
  cause?: { code?: string };
}

/** reply-from answers 500 for a refused connection; a client should learn the service is down. */
function answerUpstreamFailure(reply: FastifyReply, error: ForwardError, service: string) {
  const code = error.cause?.code ?? error.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || error.statusCode === 503)
    return sendProblem(reply.header('retry-after', '5'), 503, `The ${service} service is not reachable`);
  if (error.statusCode === 504)
    return sendProblem(reply, 504, `The ${service} service did not answer in time`);
  return sendProblem(reply, 502, `The ${service} service failed to answer`);
}

/**
 * Forwards the public paths of each remote service, headers (token, request id) included. Bodies pass
 * through as raw streams whatever their content type (images, CSV imports): the service behind parses
 * and limits them, so the gateway neither refuses a type it does not know (415) nor parses twice.
 */
export async function registerRemoteRoutes(app: FastifyInstance, remote: RemoteService[]): Promise<void> {
  if (remote.length === 0) return;
  await app.register(replyFrom, { http: { requestOptions: { timeout: 10_000 } } });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const service of remote) registerForwarding(scope, service);
  });
}

function registerForwarding(app: FastifyInstance, service: RemoteService) {
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
      handler: (request, reply) =>
        reply.from(service.url + request.url, {
          rewriteRequestHeaders: (_raw, headers) => withClientAddress(request, headers),
          // The reply reply-from hands back is this one; its own type allows HTTP/2, which we do not serve.
          onError: (_failed, { error }) => answerUpstreamFailure(reply, error as ForwardError, service.name),
        }),
    });
  }
}
