import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessTokenVerifier, AuthUser } from '../auth.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { ServiceCaller, ServiceTokens } from '../service-auth.ts';
import type { RouteAccess } from './route-config.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | undefined;
    /** The calling service, on an internal route. */
    caller: ServiceCaller | undefined;
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
 * Internal routes take a service token instead (refused everywhere when this process has no SERVICE_KEY).
 * Runs on `onRequest`, before the body is parsed and validated: an anonymous caller of a protected route
 * gets 401, not a 400 that describes the route's schema, and its body is never read.
 */
export function registerAuthHook(
  app: FastifyInstance,
  verifier: AccessTokenVerifier,
  serviceTokens?: ServiceTokens,
): void {
  app.decorateRequest('user', undefined);
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    const internalOf = request.routeOptions.config.internalOf;
    if (internalOf !== undefined) {
      if (!token || !serviceTokens) throw unauthorized('This route is for Emporium services only');
      request.caller = await serviceTokens.verify(token, internalOf);
      return;
    }
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

/** The user a calling service acts for, on an internal route that changes something in a user's name. */
export function requireActor(request: FastifyRequest): AuthUser {
  const actor = request.caller?.actor;
  if (!actor) throw forbidden('This call must be made on behalf of a user (the service token names none)');
  return actor;
}
