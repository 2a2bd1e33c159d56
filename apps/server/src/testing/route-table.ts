import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteAccess } from '@emporium/platform';
import type * as PlatformModule from '@emporium/platform';

type Platform = typeof PlatformModule;

/** One method of one route as the app registered it. */
export interface RouteEntry {
  method: string;
  url: string;
  /** `undefined` when the route did not declare `config.auth` (the hook then treats it as public). */
  auth: RouteAccess | undefined;
  key: string;
}

/**
 * Records every route the app registers, from Fastify's own registration events, so a test can walk the
 * real route table rather than a list someone has to keep up to date. Type-only imports: this module is
 * loaded inside a mock of the platform package.
 */
export function recordRoutes<T extends FastifyInstance>(app: T, into: RouteEntry[]): T {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const auth = (route.config as { auth?: RouteAccess } | undefined)?.auth;
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      into.push({ method, url: route.url, auth, key: `${method} ${route.url}` });
    }
  });
  return app;
}

/** Fills `:param` segments and wildcards of a route URL. */
export function fillUrl(url: string, params: Record<string, string> = {}, fallback = () => 'x'): string {
  return url
    .replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? fallback()))
    .replace(/\*$/, 'x');
}

/**
 * The platform package with `createHttpServer` recording every route into `into`: the factory of a
 * suite's `vi.mock('@emporium/platform', ...)`, so the suite sees the route table of the real store.
 */
export async function platformRecordingRoutes(
  importOriginal: () => Promise<Platform>,
  into: RouteEntry[],
): Promise<Platform> {
  const actual = await importOriginal();
  return {
    ...actual,
    createHttpServer: (options) => recordRoutes(actual.createHttpServer(options), into),
  };
}
