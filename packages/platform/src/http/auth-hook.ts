import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessTokenVerifier, AuthUser } from '../auth.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { RouteAccess } from './route-config.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | undefined;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <access token>"');
  return match[1];
}

function allowed(access: RouteAccess, user: AuthUser): boolean {
  if (user.role === 'admin') return true;
  return access === 'authenticated' || access === user.role;
}

/**
 * Verifies the bearer token on every request and enforces the route's `config.auth` (default: public).
 * A token, when sent, must be valid even on public routes: a client with a broken token learns it at once.
 * Runs on `onRequest`, before the body is parsed and validated: an anonymous caller of a protected route
 * gets 401, not a 400 that describes the route's schema, and its body is never read.
 */
export function registerAuthHook(app: FastifyInstance, verifier: AccessTokenVerifier): void {
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (token) request.user = await verifier.verify(token);
    const access = request.routeOptions.config.auth ?? 'public';
    if (access === 'public') return;
    if (!request.user) throw unauthorized();
    if (!allowed(access, request.user)) throw forbidden(`This route is for ${access}s`);
  });
}

/** The caller, on a route whose access rule already guarantees one. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized();
  return request.user;
}
