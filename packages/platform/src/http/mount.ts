import type { RouteOptions } from 'fastify';
import type { ServiceModule } from '../service.ts';
import type { HttpServer } from './server.ts';

export interface MountParts {
  /** Public routes under /api/v1. */
  publicRoutes?: boolean;
  /** Service-to-service routes under /internal/<name>, each requiring a service token for that name. */
  internalRoutes?: boolean;
}

/** Mounts a service's public routes under /api/v1 and its internal ones under /internal/<name>. */
export async function mountService(
  app: HttpServer,
  module: ServiceModule,
  parts: MountParts = { publicRoutes: true, internalRoutes: true },
): Promise<void> {
  if (module.routes && parts.publicRoutes) {
    const routes = module.routes.bind(module);
    await app.register(async (scoped) => routes(scoped as HttpServer), { prefix: '/api/v1' });
  }
  if (module.internalRoutes && parts.internalRoutes) {
    const routes = module.internalRoutes.bind(module);
    await app.register(
      async (scoped) => {
        // Marked here, for every route of the scope, so no internal route can be added without the check.
        scoped.addHook('onRoute', (route: RouteOptions) => {
          route.config = { ...route.config, internalOf: module.name };
        });
        await routes(scoped as HttpServer);
      },
      { prefix: `/internal/${module.name}` },
    );
  }
}
